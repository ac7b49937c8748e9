package org.meftspark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-level BPE learning on hand-checkable counts, and the written tokenizer.json read back by the Rust tokenizer. */
class BpeTrainerTest {

    @Test
    void learnsTheMostFrequentPairFirstAndBreaksTiesByStringOrder() {
        // " low" x5, " lower" x2, " newest" x6: (w,e) occurs 2 + 6 = 8 times, (Ġ,l) (l,o) 7, (o,w) 7.
        // After w+e, (o,w) is down to 5 and (Ġ,l) ties with (l,o) at 7: "l o" sorts before "Ġ l" (U+0120).
        List<String[]> merges = BpeTrainer.train(Map.of(" low", 5L, " lower", 2L, " newest", 6L), 3);
        assertThat(merges).extracting(m -> m[0] + "+" + m[1]).containsExactly("w+e", "l+o", "Ġ+lo");
        // The same counts in another map order give the same merges.
        assertThat(BpeTrainer.train(new java.util.TreeMap<>(Map.of(" newest", 6L, " lower", 2L, " low", 5L)), 3))
                .extracting(m -> m[0] + "+" + m[1]).containsExactly("w+e", "l+o", "Ġ+lo");
    }

    @Test
    void digitsAreNeverMergedAndLearningStopsWhenNoPairRepeats() {
        List<String[]> merges = BpeTrainer.train(Map.of(" 1999", 100L, " ab", 1L), 10);
        assertThat(merges).isEmpty(); // " 1999" holds only digit pairs; " ab" occurs once
        assertThat(BpeTrainer.encodeWord(" 1999", merges)).containsExactly("Ġ", "1", "9", "9", "9");
    }

    @Test
    void wordsAreCutAsTheByteLevelPreTokenizerCutsThem() {
        // GPT-2's pattern: white space before a word keeps its last character for the word ("\n" then "\n").
        assertThat(BpeTrainer.words("Who founded Brai-Kel? It's 1742.\n\nOk"))
                .containsExactly("Who", " founded", " Brai", "-", "Kel", "?", " It", "'s", " 1742", ".", "\n", "\n", "Ok");
    }

    @Test
    void theWrittenFilesEncodeAsTheReferenceDoes(@TempDir Path dir) {
        Map<String, Long> counts = Map.of(" town", 9L, " of", 8L, " Kelthai", 3L, " river", 4L, ".", 9L);
        List<String[]> merges = BpeTrainer.train(counts, 12);
        ByteTokenizerFiles.write(dir, merges);
        try (HfTokenizer t = HfTokenizer.load(dir)) {
            assertThat(t.vocabSize()).isEqualTo(259 + merges.size());
            String text = "The river of the town of Kelthai.";
            int[] ids = t.encode(text).ids();
            List<String> pieces = new java.util.ArrayList<>();
            for (int id : ids) {
                pieces.add(t.piece(id));
            }
            List<String> reference = new java.util.ArrayList<>();
            for (String w : BpeTrainer.words(text)) {
                reference.addAll(BpeTrainer.encodeWord(w, merges));
            }
            assertThat(pieces).isEqualTo(reference);
            assertThat(t.decode(ids)).isEqualTo(text);
            // Ids 0..258 keep their byte-tokenizer meaning.
            assertThat(t.encode("T").ids()).containsExactly((int) 'T');
            assertThat(t.eosId()).isEqualTo(ByteTokenizer.EOS);
            assertThat(t.bosId()).hasValue(ByteTokenizer.BOS);
        }
    }
}
