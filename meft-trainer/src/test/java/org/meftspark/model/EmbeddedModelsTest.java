package org.meftspark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.meftspark.tokenize.ByteTokenizer;

class EmbeddedModelsTest {

    @Test
    void tinyLlamaComesFromConfModelsAndFitsTheByteTokenizer() {
        ModelConfig c = EmbeddedModels.tinyLlamaConfig();
        try (ByteTokenizer t = new ByteTokenizer()) {
            assertThat(c.vocabSize()).isEqualTo(t.vocabSize());
            assertThat(c.bosTokenId()).isEqualTo(t.bosId().getAsInt());
            assertThat(c.eosTokenIds()).containsExactly(t.eosId());
        }
        assertThat(c.architecture()).isEqualTo(ModelConfig.LLAMA);
    }

    @Test
    void unknownEmbeddedNamesAreRefused() {
        assertThatThrownBy(() -> EmbeddedModels.load("embedded:huge", null, null))
                .hasMessageContaining("embedded:tiny-llama");
    }
}
