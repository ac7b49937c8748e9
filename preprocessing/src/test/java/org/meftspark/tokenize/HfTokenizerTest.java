package org.meftspark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.hash.Sha256;
import org.meftspark.testing.SharedFiles;

/** The real Mistral-7B tokenizer.json from ../shared/tokenizers/mistral (skipped when absent). */
class HfTokenizerTest {
    static HfTokenizer mistral;
    static Path dir;

    @BeforeAll
    static void load() {
        dir = SharedFiles.require("tokenizers/mistral");
        mistral = HfTokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        if (mistral != null) {
            mistral.close();
        }
    }

    @Test
    void knownIdsAndSpecialsFromTheConfig() throws Exception {
        assertThat(mistral.encode("Hello world").ids()).containsExactly(22557, 1526);
        assertThat(mistral.bosId()).hasValue(1);
        assertThat(mistral.eosId()).isEqualTo(2);
        assertThat(mistral.padId()).isEqualTo(2);   // pad_token is null: pad with EOS (always masked)
        assertThat(mistral.vocabSize()).isEqualTo(32000);
        assertThat(mistral.fingerprint()).isEqualTo(Sha256.hex(dir.resolve("tokenizer.json")));
    }

    @Test
    void noTruncationOfLongTexts() {
        String longText = "word ".repeat(3000);
        assertThat(mistral.encode(longText).length()).isGreaterThanOrEqualTo(3000);
    }

    @Test
    void charSpansAreUtf16IndicesEvenAfterEmoji() {
        String text = "I \uD83D\uDE00 Paris";
        TokenizedText t = mistral.encode(text);
        int last = t.length() - 1;
        assertThat(text.substring(t.charStart()[last], t.charEnd()[last]).strip()).isEqualTo("Paris");
        assertThat(t.charEnd()[last]).isEqualTo(text.length());
    }

    @Test
    void decodeOfEncodeIsIdentityOnRealQuestions() {
        List<String> texts = new ArrayList<>();
        for (String[] f : new String[][] {{"nq_open", "datasets/nq_open/NQ-open.dev.jsonl"},
                {"gsm8k", "datasets/gsm8k/test.jsonl"}, {"squad", "datasets/squad/squad-v1.1-dev-subset.json"}}) {
            try (ReadResults r = DatasetReaders.open(Dataset.fromKey(f[0]), "test", SharedFiles.require(f[1]), ReaderOptions.DEFAULTS)) {
                r.forEachRemaining(x -> texts.add(((Example) x).fields().get("question")));
            }
        }
        assertThat(texts).hasSizeGreaterThan(5000);
        List<String> mismatched = texts.stream().filter(q -> !mistral.decode(mistral.encode(q).ids()).equals(q)).toList();
        assertThat(mismatched).isEmpty();
    }

    /** The direct JNI path of {@link HfTokenizer#encode} against DJL's own encode: same ids, same spans. */
    @Test
    void fastEncodeMatchesDjlEncodeOnRealTexts() {
        List<String> texts = new ArrayList<>(List.of("", " ", "I \uD83D\uDE00 Paris", "line\nbreak\ttab", "word ".repeat(500)));
        for (String[] f : new String[][] {{"gsm8k", "datasets/gsm8k/test.jsonl"},
                {"squad", "datasets/squad/squad-v1.1-dev-subset.json"}}) {
            try (ReadResults r = DatasetReaders.open(Dataset.fromKey(f[0]), "test", SharedFiles.require(f[1]), ReaderOptions.DEFAULTS)) {
                r.forEachRemaining(x -> {
                    Example e = (Example) x;
                    texts.add(e.fields().get("question") + " " + e.target());
                });
            }
        }
        assertThat(texts).hasSizeGreaterThan(1000);
        for (String t : texts) {
            TokenizedText fast = mistral.encode(t);
            TokenizedText djl = mistral.encodeThroughDjl(t);
            assertThat(fast.ids()).as(t).containsExactly(djl.ids());
            assertThat(fast.charStart()).as(t).containsExactly(djl.charStart());
            assertThat(fast.charEnd()).as(t).containsExactly(djl.charEnd());
        }
    }

    @Test
    void missingConfigIsNamed(@TempDir Path tmp) throws Exception {
        Files.copy(dir.resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
        assertThatThrownBy(() -> HfTokenizer.load(tmp)).hasMessageContaining("tokenizer_config.json");
    }
}
