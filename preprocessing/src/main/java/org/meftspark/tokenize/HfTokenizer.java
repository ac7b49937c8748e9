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
import java.util.List;
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
 * <p>Decoding of a byte-level BPE (Llama 3, GPT-2 style: the decoder is {@code ByteLevel}) and of
 * a byte-fallback BPE (Mistral, LLaMA: {@code <0xNN>} tokens) drops an incomplete UTF-8 character at
 * the very end: a generated answer cut by its token limit in the middle of a multi-byte character
 * ends before it, instead of with U+FFFD. Invalid bytes anywhere else still decode to U+FFFD.
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
    /** id -> token string of the model's vocabulary and added tokens; null where an id has none */
    private final String[] pieces;
    /** ids of added tokens marked special (skipped when decoding) */
    private final java.util.BitSet special;
    private final ByteDecoding byteDecoding;
    private final java.util.Optional<ChatTemplate> chat;
    private final List<Integer> endIds;

    /** How the tokenizer's decoder turns pieces into bytes, as far as the end of a text is concerned. */
    enum ByteDecoding {
        /** GPT-2 byte-to-unicode pieces ({@code decoder.type: ByteLevel}) */
        BYTE_LEVEL,
        /** SentencePiece-style pieces with {@code <0xNN>} byte tokens ({@code ByteFallback} in the decoder) */
        BYTE_FALLBACK,
        /** anything else: DJL's decode as it is */
        NONE
    }

    private HfTokenizer(HuggingFaceTokenizer djl, String fingerprint, OptionalInt bos, int eos, int pad, int vocabSize,
                        String[] pieces, java.util.BitSet special, ByteDecoding byteDecoding,
                        java.util.Optional<ChatTemplate> chat, List<Integer> endIds) {
        this.djl = djl;
        this.fingerprint = fingerprint;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.vocabSize = vocabSize;
        this.pieces = pieces;
        this.special = special;
        this.byteDecoding = byteDecoding;
        this.chat = chat;
        this.endIds = List.copyOf(endIds);
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
            String[] pieces = new String[maxId + 1];
            specials.forEach((piece, id) -> pieces[id] = piece);
            java.util.BitSet special = new java.util.BitSet();
            for (JsonNode added : tok.path("added_tokens")) {
                if (added.path("special").asBoolean(false)) {
                    special.set(added.path("id").asInt());
                }
            }
            java.util.Optional<ChatTemplate> chat = chatTemplate(cfg, config, bosName, eosName, specials, special, pieces);
            List<Integer> ends = new java.util.ArrayList<>(List.of(eos));
            chat.ifPresent(c -> {
                Integer end = specials.get(c.endOfTurn());
                if (end != null && !ends.contains(end)) {
                    ends.add(end); // a turn ends with one special token: generation stops there
                }
            });
            return new HfTokenizer(djl, Sha256.hex(json), bos, eos, pad, maxId + 1, pieces, special,
                    byteDecoding(tok.path("decoder")), chat, ends);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer from " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The config's {@code chat_template}: a string, or (newer configs) a list of named templates of
     * which the one named {@code default} is used, as transformers does.
     */
    private static java.util.Optional<ChatTemplate> chatTemplate(JsonNode cfg, Path config, String bosName, String eosName,
                                                                 Map<String, Integer> ids, java.util.BitSet special,
                                                                 String[] pieces) {
        JsonNode t = cfg.get("chat_template");
        String source = null;
        if (t != null && t.isTextual()) {
            source = t.asText();
        } else if (t != null && t.isArray()) {
            for (JsonNode named : t) {
                if (named.path("name").asText().equals("default")) {
                    source = named.path("template").asText();
                }
            }
        }
        if (source == null) {
            return java.util.Optional.empty();
        }
        List<String> specials = new java.util.ArrayList<>();
        special.stream().forEach(id -> specials.add(pieces[id]));
        try {
            return java.util.Optional.of(new ChatTemplate(source, bosName, eosName, specials));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(config + ": " + e.getMessage(), e);
        }
    }

    /** Whether the decoder is ByteLevel or holds ByteFallback (possibly inside a Sequence). */
    static ByteDecoding byteDecoding(JsonNode decoder) {
        String type = decoder.path("type").asText("");
        if (type.equals("ByteLevel")) {
            return ByteDecoding.BYTE_LEVEL;
        }
        if (type.equals("ByteFallback")) {
            return ByteDecoding.BYTE_FALLBACK;
        }
        if (type.equals("Sequence")) {
            for (JsonNode d : decoder.path("decoders")) {
                ByteDecoding b = byteDecoding(d);
                if (b != ByteDecoding.NONE) {
                    return b;
                }
            }
        }
        return ByteDecoding.NONE;
    }

    /** The OpenAI GPT-2 byte-to-unicode table, inverted: the piece character of each byte -> the byte. */
    private static final Map<Character, Integer> PIECE_BYTES = pieceBytes();

    private static Map<Character, Integer> pieceBytes() {
        Map<Character, Integer> m = new HashMap<>();
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            m.put((char) (printable ? b : 256 + n++), b);
        }
        return m;
    }

    /**
     * The bytes a byte-level decode of {@code ids} produces (special tokens skipped), as the Rust
     * ByteLevel decoder forms them: a piece whose every character is in the byte table gives those
     * bytes, any other piece (an added token's text) its UTF-8.
     */
    private byte[] byteLevelBytes(int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            if (special.get(id) || id < 0 || id >= pieces.length || pieces[id] == null) {
                continue;
            }
            String piece = pieces[id];
            byte[] mapped = new byte[piece.length()];
            boolean all = true;
            for (int i = 0; i < piece.length() && all; i++) {
                Integer b = PIECE_BYTES.get(piece.charAt(i));
                all = b != null;
                if (all) {
                    mapped[i] = (byte) (int) b;
                }
            }
            out.writeBytes(all ? mapped : piece.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /**
     * How many bytes at the end of {@code b} begin a UTF-8 character that the text ends before
     * completing (0 to 3). A lone continuation byte or an invalid lead byte is not incomplete, it is
     * invalid, and stays for the decoder to replace.
     */
    static int incompleteTail(byte[] b, int len) {
        for (int back = 1; back <= Math.min(3, len); back++) {
            int x = b[len - back] & 0xFF;
            if ((x & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for its lead
            }
            int need = x >= 0xF0 && x <= 0xF4 ? 4 : x >= 0xE0 ? 3 : x >= 0xC2 && x < 0xE0 ? 2 : 1;
            return x < 0xC2 || x > 0xF4 || need <= back ? 0 : back;
        }
        return 0;
    }

    /** The ids without the trailing {@code <0xNN>} tokens that start an unfinished UTF-8 character. */
    private int[] withoutIncompleteByteFallbackTail(int[] ids) {
        int n = ids.length;
        int k = 0;
        byte[] tail = new byte[3];
        while (k < 3 && n - k > 0) {
            String piece = pieceOf(ids[n - k - 1]);
            if (piece == null || piece.length() != 6 || !piece.startsWith("<0x") || !piece.endsWith(">")) {
                break;
            }
            k++;
        }
        for (int i = 0; i < k; i++) {
            tail[i] = (byte) Integer.parseInt(pieceOf(ids[n - k + i]).substring(3, 5), 16);
        }
        int drop = incompleteTail(tail, k);
        return drop == 0 ? ids : java.util.Arrays.copyOf(ids, n - drop);
    }

    private String pieceOf(int id) {
        return id >= 0 && id < pieces.length ? pieces[id] : null;
    }

    /** The vocabulary's string for {@code id} (byte-level pieces as GPT-2 characters), or null if it has none. */
    public String piece(int id) {
        return pieceOf(id);
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
        if (byteDecoding == ByteDecoding.BYTE_LEVEL) {
            byte[] b = byteLevelBytes(ids);
            int len = b.length - incompleteTail(b, b.length);
            // lossy, as Rust's String::from_utf8_lossy: each invalid sequence becomes U+FFFD
            return new String(b, 0, len, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (byteDecoding == ByteDecoding.BYTE_FALLBACK) {
            ids = withoutIncompleteByteFallbackTail(ids);
        }
        return djlDecode(ids);
    }

    /** DJL's decode (the Rust decoder chain), special tokens skipped; the reference {@link #decode} is tested against. */
    String djlDecode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return djl.decode(l, true);
    }

    @Override
    public List<Integer> endIds() {
        return endIds;
    }

    @Override
    public java.util.Optional<ChatTemplate> chatTemplate() {
        return chat;
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
