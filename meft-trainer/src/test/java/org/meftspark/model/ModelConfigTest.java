package org.meftspark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelConfigTest {
    private static final String MISTRAL = """
            {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": 32000,
             "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
             "num_attention_heads": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
             "rope_theta": 10000.0, "max_position_embeddings": 32768, "sliding_window": 4096,
             "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16",
             "hidden_act": "silu", "attention_dropout": 0.0}""";

    @Test
    void readsMistral7bConfigWithDefaultsDerived() {
        ModelConfig c = ModelConfig.parse(MISTRAL, "test");
        assertThat(c.architecture()).isEqualTo(ModelConfig.MISTRAL);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.groupSize()).isEqualTo(4);
        assertThat(c.slidingWindow()).hasValue(4096);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
    }

    @Test
    void llamaDefaultsAndEosListAndRoundTrip() {
        ModelConfig c = ModelConfig.parse("""
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_attention_heads": 4,
                 "intermediate_size": 96, "num_hidden_layers": 2, "vocab_size": 100,
                 "eos_token_id": [2, 7], "rope_scaling": null, "attention_bias": false}""", "test");
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.slidingWindow()).isEmpty();
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.eosTokenIds()).containsExactly(2, 7);
        assertThat(ModelConfig.parse(c.toJson(), "again")).isEqualTo(c);
        assertThat(ModelConfig.parse(TinyModels.mistral().toJson(), "again")).isEqualTo(TinyModels.mistral());
    }

    @Test
    void unsupportedFeaturesAreRefusedByName() {
        assertThatThrownBy(() -> ModelConfig.parse("{\"architectures\": [\"GPT2LMHeadModel\"]}", "cfg.json"))
                .hasMessageContaining("cfg.json").hasMessageContaining("GPT2LMHeadModel is not supported");
        assertThatThrownBy(() -> ModelConfig.parse("""
                {"architectures": ["LlamaForCausalLM"], "rope_scaling": {"rope_type": "yarn", "factor": 4.0},
                 "attention_bias": true, "mlp_bias": true, "hidden_act": "gelu"}""", "cfg.json"))
                .hasMessageContaining("rope_scaling type 'yarn' is not implemented")
                .hasMessageContaining("attention_bias=true")
                .hasMessageContaining("mlp_bias=true")
                .hasMessageContaining("hidden_act 'gelu'");
        assertThatThrownBy(() -> ModelConfig.parse("""
                {"architectures": ["LlamaForCausalLM"], "num_attention_heads": 6, "num_key_value_heads": 4,
                 "hidden_size": 48}""", "cfg.json"))
                .hasMessageContaining("not a multiple of num_key_value_heads");
        assertThatThrownBy(() -> ModelConfig.parse("{not json", "cfg.json")).hasMessageContaining("not well-formed JSON");
    }
}
