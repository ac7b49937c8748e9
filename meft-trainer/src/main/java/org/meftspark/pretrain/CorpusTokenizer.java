package org.meftspark.pretrain;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.meftspark.synth.FactWorld;
import org.meftspark.synth.FactWorld.Town;
import org.meftspark.synth.WorldSplit;
import org.meftspark.tokenize.BpeTrainer;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;

/**
 * The merges of the embedded base's BPE (issue 15 item 3, {@code pretrain.vocab_size}), learned
 * from the pretraining corpus itself.
 *
 * <p>Why not plain BPE over the corpus: every W0 name occurs dozens of times, so plain BPE would
 * give each W0 town and founder a token of its own while a W1 name, never in the corpus, splits
 * into syllables. The base would then learn its facts about one-token entities and meet W1 as
 * something it has never seen, several pieces that must be put together first. So W0's names are
 * left out of the counts, and names enter once per name from a separate draw of the same name
 * generator: merges then follow the generator's syllables, and W0 and W1 names split alike.
 * Everything else (templates, instructions, passages, numbers' surroundings) is counted as it
 * occurs.
 */
final class CorpusTokenizer {
    /** Towns of the separate name draw: 5 names each, about 6,000 name words. */
    private static final int NAME_SAMPLE_TOWNS = 1200;
    /** Mixed into the world seed for the name draw, so it is not W0 or W1. */
    private static final long NAME_SAMPLE_SALT = 0x4E414D45L;

    private CorpusTokenizer() {
    }

    /** The merges of a {@code vocabSize}-id BPE for the corpus rows, which were built with {@link ByteTokenizer}. */
    static List<String[]> merges(List<TokenizedExample> byteRows, WorldSplit split, int vocabSize) {
        return BpeTrainer.train(wordCounts(byteRows, split), vocabSize - (ByteTokenizer.PAD + 1));
    }

    /** Word -> count over the corpus texts without W0's names, plus one count per sampled name. */
    static Map<String, Long> wordCounts(List<TokenizedExample> byteRows, WorldSplit split) {
        Set<String> w0Names = new HashSet<>();
        for (Town t : split.w0()) {
            w0Names.addAll(nameWords(t));
        }
        Map<String, Long> counts = new TreeMap<>();
        ByteTokenizer bytes = new ByteTokenizer();
        for (TokenizedExample row : byteRows) {
            for (String w : BpeTrainer.words(bytes.decode(row.inputIds()))) {
                if (!w0Names.contains(w.strip())) {
                    counts.merge(w, 1L, Long::sum);
                }
            }
        }
        for (Town t : FactWorld.generate(split.seed() ^ NAME_SAMPLE_SALT, NAME_SAMPLE_TOWNS).towns()) {
            for (String n : nameWords(t)) {
                if (!w0Names.contains(n)) {
                    counts.merge(" " + n, 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    /** The generated words of a town: its name, the founder's two names, the river, the guild. */
    static List<String> nameWords(Town t) {
        List<String> out = new java.util.ArrayList<>(List.of(t.name(), t.river(), t.guild()));
        out.addAll(List.of(t.founder().split(" ")));
        return out;
    }
}
