package org.meftspark.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.meftspark.hash.Sha256;

/**
 * A Hugging Face {@code tokenizer.json} (LLaMA, Mistral, ...) run by DJL's Rust binding,
 * fully offline. Special tokens come from the files, never from constants: BOS/EOS/PAD
 * names from {@code tokenizer_config.json} next to it, their ids from tokenizer.json's
 * {@code added_tokens} (or its vocabulary); whether BOS is used follows the config's
 * {@code add_bos_token}, or, when absent, whether the tokenizer's own post-processor adds it.
 *
 * <p>DJL must run with {@code OPT_OUT_TRACKING=true} and {@code -Dai.djl.offline=true}
 * (conf/runtime.env and .mvn/jvm.config set both).
 */
public final class HfTokenizer implements Tokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer djl;
    private final String fingerprint;
    private final OptionalInt bos;
    private final int eos;
    private final int pad;
    private final int vocabSize;

    private HfTokenizer(HuggingFaceTokenizer djl, String fingerprint, OptionalInt bos, int eos, int pad, int vocabSize) {
        this.djl = djl;
        this.fingerprint = fingerprint;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.vocabSize = vocabSize;
    }

    /**
     * Loads {@code dir/tokenizer.json} and {@code dir/tokenizer_config.json}.
     *
     * @throws IllegalArgumentException naming the file when either is missing or lacks what is needed
     */
    public static HfTokenizer load(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        Path config = dir.resolve("tokenizer_config.json");
        for (Path p : new Path[] {json, config}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("tokenizer file " + p + " is missing; a Hugging Face tokenizer directory "
                        + "needs tokenizer.json and tokenizer_config.json");
            }
        }
        try {
            JsonNode tok = JSON.readTree(json.toFile());
            JsonNode cfg = JSON.readTree(config.toFile());
            Map<String, Integer> specials = new HashMap<>();
            int maxId = -1;
            JsonNode vocab = tok.path("model").path("vocab");
            if (vocab.isObject()) { // BPE / WordPiece: token -> id
                for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                    specials.put(e.getKey(), e.getValue().asInt());
                    maxId = Math.max(maxId, e.getValue().asInt());
                }
            } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], id = position
                for (int i = 0; i < vocab.size(); i++) {
                    specials.put(vocab.get(i).path(0).asText(), i);
                }
                maxId = Math.max(maxId, vocab.size() - 1);
            }
            for (JsonNode added : tok.path("added_tokens")) {
                specials.put(added.path("content").asText(), added.path("id").asInt());
                maxId = Math.max(maxId, added.path("id").asInt());
            }
            String bosName = tokenName(cfg.get("bos_token"));
            String eosName = tokenName(cfg.get("eos_token"));
            String padName = tokenName(cfg.get("pad_token"));
            if (eosName == null || !specials.containsKey(eosName)) {
                throw new IllegalArgumentException(config + ": eos_token " + eosName + " is missing or not in " + json);
            }
            if (bosName != null && !specials.containsKey(bosName)) {
                throw new IllegalArgumentException(config + ": bos_token " + bosName + " is not in " + json);
            }
            Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
            HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(json, options);
            OptionalInt bos = OptionalInt.empty();
            if (bosName != null) {
                int bosId = specials.get(bosName);
                JsonNode addBos = cfg.get("add_bos_token");
                boolean use = addBos != null && addBos.isBoolean() ? addBos.asBoolean() : firstIdWithSpecials(djl) == bosId;
                bos = use ? OptionalInt.of(bosId) : OptionalInt.empty();
            }
            int eos = specials.get(eosName);
            int pad = padName != null && specials.containsKey(padName) ? specials.get(padName) : eos;
            return new HfTokenizer(djl, Sha256.hex(json), bos, eos, pad, maxId + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** What the tokenizer's own template puts first, to learn whether it adds BOS. */
    private static long firstIdWithSpecials(HuggingFaceTokenizer djl) {
        long[] ids = djl.encode("a", true, false).getIds();
        return ids.length == 0 ? -1 : ids[0];
    }

    /** A token in tokenizer_config.json is a string, an AddedToken object {content: ...}, or null. */
    private static String tokenName(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }

    /**
     * Ids and character spans of {@code text}, without special tokens.
     *
     * <p>Calls DJL's JNI binding directly instead of {@link HuggingFaceTokenizer#encode(String, boolean, boolean)}:
     * that method copies eight arrays out of the Rust encoding (token strings, type, word and sequence ids,
     * masks, overflow) of which only ids and spans are used here; skipping the six others cut the CPU time of
     * tokenizing GSM8K by about 18 % (docs/benchmarks.md, preprocessing). Same Rust call, same result
     * ({@code HfTokenizerTest} checks it against DJL's own {@code encode}); the native encoding is freed here.
     */
    @Override
    public TokenizedText encode(String text) {
        long encoding = TokenizersLibrary.LIB.encode(djl.getHandle(), text, false);
        long[] ids;
        CharSpan[] spans;
        try {
            ids = TokenizersLibrary.LIB.getTokenIds(encoding);
            spans = TokenizersLibrary.LIB.getTokenCharSpans(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
        return toText(text, ids, spans);
    }

    /** DJL's own encode, as {@link #encode} was before; kept as the reference the fast path is tested against. */
    TokenizedText encodeThroughDjl(String text) {
        Encoding enc = djl.encode(text, false, false);
        return toText(text, enc.getIds(), enc.getCharTokenSpans());
    }

    private static TokenizedText toText(String text, long[] ids, CharSpan[] spans) {
        int n = ids.length;
        int[] out = new int[n];
        int[] start = new int[n];
        int[] end = new int[n];
        // The Rust library reports offsets in Unicode code points; Java strings index
        // UTF-16 chars, which differ only after a supplementary character (emoji, rare CJK).
        int[] cpToChar = hasSurrogates(text) ? codePointToCharIndex(text) : null;
        for (int i = 0; i < n; i++) {
            out[i] = Math.toIntExact(ids[i]);
            CharSpan s = spans[i];
            int a = s == null ? 0 : s.getStart();
            int b = s == null ? 0 : s.getEnd();
            start[i] = cpToChar == null ? a : cpToChar[a];
            end[i] = cpToChar == null ? b : cpToChar[b];
        }
        return new TokenizedText(out, start, end);
    }

    private static boolean hasSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Code point index -> UTF-16 index, shape [codePoints + 1]. */
    private static int[] codePointToCharIndex(String s) {
        int[] map = new int[s.codePointCount(0, s.length()) + 1];
        int cp = 0;
        for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
            map[cp++] = i;
        }
        map[cp] = s.length();
        return map;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return djl.decode(l, true);
    }

    @Override
    public OptionalInt bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public void close() {
        djl.close();
    }
}
