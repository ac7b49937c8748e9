package org.meftspark.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.HfTokenizer;
import org.meftspark.testsupport.SharedFiles;

class StopStringsTest {
    @Test
    void byteTokenizerHasOneSpelling() {
        assertThat(StopStrings.tokenSequences(new ByteTokenizer(), List.of("\n", "\n\n")))
                .containsExactly(new long[] {10}, new long[] {10, 10});
    }

    @Test
    void mistralSpellsANewlineDifferentlyAloneAndAfterAWord() {
        try (HfTokenizer mistral = HfTokenizer.load(SharedFiles.require("tokenizers/mistral"))) {
            List<long[]> seqs = StopStrings.tokenSequences(mistral, List.of("\n"));
            // After a word, "\n" is the byte-fallback token <0x0A> (id 13) alone: what the model emits.
            assertThat(seqs).anySatisfy(s -> assertThat(s).containsExactly(13));
            int[] answer = mistral.encode("Paris\n").ids();
            assertThat(answer[answer.length - 1]).isEqualTo(13);
        }
    }

    @Test
    void cutStopsAtTheEarliestStopString() {
        assertThat(StopStrings.cut("Paris\nQuestion: x\n\n", List.of("\n\n", "\nQuestion:"))).isEqualTo("Paris");
        assertThat(StopStrings.cut("Paris", List.of("\n"))).isEqualTo("Paris");
    }
}
