package org.meftspark.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.meftspark.io.AtomicFiles;

/**
 * {@link ByteTokenizer} as Hugging Face tokenizer files ({@code tokenizer.json},
 * {@code tokenizer_config.json}), so a model folder trained with it loads in {@code transformers}
 * and in DJL with the same ids: a byte-level BPE whose vocabulary maps byte b to id b through
 * GPT-2's byte-to-character table, then {@code <s>} 256, {@code </s>} 257 and {@code <pad>} 258,
 * and a post-processor that puts {@code <s>} first. Without merges it is the byte tokenizer
 * exactly; with the merges of {@link BpeTrainer} (the embedded base's own BPE) merged pieces take
 * ids 259 and up, so ids 0..258 keep their meaning. One difference remains, as with every Hugging
 * Face tokenizer: the literal strings {@code <s>}, {@code </s>} and {@code <pad>} inside a text
 * become their special ids there, while {@link ByteTokenizer} encodes them as bytes.
 */
public final class ByteTokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ByteTokenizerFiles() {
    }

    /** Writes both files into {@code folder}, each atomically. */
    public static void write(Path folder) {
        write(folder, java.util.List.of());
    }

    /**
     * Writes the byte tokenizer extended by {@code merges} ({@link BpeTrainer}): the piece of merge
     * i gets id 259 + i, after the bytes and the three specials, so ids 0..258 mean what they mean
     * in {@link ByteTokenizer}. With merges the pre-tokenizer splits words first (GPT-2's pattern,
     * as the merges were learned); without, it is exactly the byte tokenizer.
     */
    public static void write(Path folder, java.util.List<String[]> merges) {
        AtomicFiles.writeString(folder.resolve("tokenizer.json"), tokenizerJson(merges), "tokenizer.json");
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("bos_token", "<s>");
        cfg.put("eos_token", "</s>");
        cfg.put("pad_token", "<pad>");
        cfg.put("add_bos_token", true);
        cfg.put("add_eos_token", false);
        cfg.put("model_max_length", 2048);
        AtomicFiles.writeString(folder.resolve("tokenizer_config.json"), cfg.toPrettyString() + "\n", "tokenizer_config.json");
    }

    /** GPT-2's {@code bytes_to_unicode}: printable bytes stand for themselves, the rest move to U+0100 on. */
    static char[] byteChars() {
        char[] out = new char[256];
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = printable ? (char) b : (char) (256 + shifted++);
        }
        return out;
    }

    static String tokenizerJson() {
        return tokenizerJson(java.util.List.of());
    }

    static String tokenizerJson(java.util.List<String[]> merges) {
        boolean words = !merges.isEmpty();
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<s>", "</s>", "<pad>"};
        int[] ids = {ByteTokenizer.BOS, ByteTokenizer.EOS, ByteTokenizer.PAD};
        for (int i = 0; i < specials.length; i++) {
            ObjectNode t = added.addObject();
            t.put("id", ids[i]);
            t.put("content", specials[i]);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(words));
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>");
        bos.put("id", "<s>");
        bos.putArray("ids").add(ByteTokenizer.BOS);
        bos.putArray("tokens").add("<s>");
        root.set("decoder", byteLevel(false));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] chars = byteChars();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(chars[b]), b);
        }
        ArrayNode mergeList = model.putArray("merges");
        int id = ByteTokenizer.PAD + 1;
        for (String[] m : merges) {
            String piece = m[0] + m[1];
            if (vocab.has(piece)) {
                throw new IllegalArgumentException("merge " + m[0] + " + " + m[1] + " repeats the piece " + piece);
            }
            vocab.put(piece, id++);
            mergeList.add(m[0] + " " + m[1]);
        }
        return root.toPrettyString() + "\n";
    }

    private static ObjectNode byteLevel(boolean splitWords) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", false);
        n.put("use_regex", splitWords);
        return n;
    }
}
