package org.meftspark.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.synth.FactWorld.Town;
import org.meftspark.synth.WorldSplit;
import org.meftspark.tokenize.BpeTrainer;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.HfTokenizer;
import org.meftspark.tokenize.TokenizedExample;

/**
 * The embedded base's BPE learned from its own corpus (issue 15 item 3): the Rust tokenizer applies
 * exactly the learned merges, W0 and W1 names split alike (no W0 name became a token of its own), and
 * numbers stay one token per digit.
 */
class CorpusTokenizerTest {
    @TempDir
    static Path dir;
    static RunConfig config;
    static CorpusRows.Rows bytes;
    static org.meftspark.synth.WorldCorpus.Written files;
    static List<String[]> merges;
    static HfTokenizer tokenizer;
    static WorldSplit split;

    @BeforeAll
    static void learn() throws Exception {
        Path root = root();
        Path recipe = root.resolve("conf/pretrain/world-base.yaml");
        config = RunConfigLoader.parse(Files.readString(recipe), recipe.toString(),
                List.of("data.templates=" + root.resolve("conf/templates")));
        assertThat(config.pretrain().vocabSize()).as("the recipe learns a BPE").isGreaterThan(259);
        files = Pretrainer.writeCorpus(config, dir.resolve("corpus"));
        bytes = Pretrainer.rows(config, files, new ByteTokenizer());
        var p = config.pretrain();
        split = new WorldSplit(p.worldSeed(), p.baseTowns(), p.passageOnlyTowns());
        merges = CorpusTokenizer.merges(bytes.all(), split, p.vocabSize());
        tokenizer = (HfTokenizer) Pretrainer.tokenizer(config, files, dir.resolve("tokenizer"));
    }

    @Test
    void theRustTokenizerAppliesTheLearnedMergesExactly() {
        assertThat(merges).hasSize(config.pretrain().vocabSize() - 259);
        assertThat(tokenizer.vocabSize()).isEqualTo(config.pretrain().vocabSize());
        ByteTokenizer b = new ByteTokenizer();
        int texts = 0;
        for (TokenizedExample row : bytes.all().subList(0, 400)) {
            String text = b.decode(row.inputIds());
            List<String> reference = new ArrayList<>();
            for (String w : BpeTrainer.words(text)) {
                reference.addAll(BpeTrainer.encodeWord(w, merges));
            }
            int[] ids = tokenizer.encode(text).ids();
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                pieces.add(tokenizer.piece(id));
            }
            assertThat(pieces).as(text).isEqualTo(reference);
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
            texts++;
        }
        assertThat(texts).isEqualTo(400);
    }

    @Test
    void w0AndW1NamesSplitAlikeAndNoneIsOneToken() {
        double w0 = piecesPerName(split.w0());
        double w1 = piecesPerName(split.w1(200));
        System.out.printf("pieces per name: W0 %.2f, W1 %.2f%n", w0, w1);
        assertThat(w1).isCloseTo(w0, org.assertj.core.data.Offset.offset(0.25));
        for (Town t : split.w0()) {
            assertThat(tokenizer.encode(" " + t.name()).ids()).as(t.name()).hasSizeGreaterThan(1);
        }
    }

    @Test
    void numbersStayOneTokenPerDigit() {
        assertThat(tokenizer.encode(" 1742").ids()).hasSize(5); // the space, then each digit
        assertThat(tokenizer.encode("#### 36").ids()).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void theCorpusShrinksAndLearningIsDeterministic() {
        long byteTokens = bytes.tokens();
        long bpeTokens = Pretrainer.rows(config, files, tokenizer).tokens();
        System.out.printf("corpus: %d byte tokens, %d BPE tokens (%.2fx)%n", byteTokens, bpeTokens,
                (double) byteTokens / bpeTokens);
        assertThat((double) byteTokens / bpeTokens).isGreaterThan(2.5);
        List<String[]> again = CorpusTokenizer.merges(bytes.all(), split, config.pretrain().vocabSize());
        assertThat(again).hasSameSizeAs(merges);
        for (int i = 0; i < merges.size(); i++) {
            assertThat(again.get(i)).containsExactly(merges.get(i));
        }
    }

    private static double piecesPerName(List<Town> towns) {
        long pieces = 0;
        long names = 0;
        for (Town t : towns) {
            for (String n : CorpusTokenizer.nameWords(t)) {
                pieces += tokenizer.encode(" " + n).ids().length;
                names++;
            }
        }
        return (double) pieces / names;
    }

    private static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(".mvn/jvm.config"))) {
                return d;
            }
        }
        throw new IllegalStateException(".mvn/jvm.config not found");
    }
}
