package org.meftspark.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns the merges of a byte-level BPE (GPT-2 style, the kind Llama 3 uses) from word counts, for
 * the embedded base's own tokenizer (issue 15 item 3: "a small BPE that the project trains and
 * writes as tokenizer.json"). The result extends {@link ByteTokenizer}: ids 0..255 are still the
 * bytes and 256..258 the specials, merged pieces come after ({@link ByteTokenizerFiles#write(java.nio.file.Path, List)}).
 *
 * <p>Words are what Hugging Face's {@code ByteLevel} pre-tokenizer cuts with {@code use_regex: true}
 * ({@link #words}), so the merges learned here are the ones the Rust tokenizer applies. Two rules
 * on top of plain BPE:
 * <ul>
 *   <li>no merge touches a digit, so every number stays one token per digit (as Llama 3 and
 *       Mistral keep digits short) and GSM8K arithmetic is done digit by digit;</li>
 *   <li>ties between equally frequent pairs go to the smaller pair in string order, so the merges
 *       are a function of the counts alone.</li>
 * </ul>
 */
public final class BpeTrainer {
    /** Hugging Face {@code ByteLevel}'s split (GPT-2's pattern), with Unicode classes as the Rust regex has them. */
    static final Pattern WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final char[] BYTE_CHARS = ByteTokenizerFiles.byteChars();

    private BpeTrainer() {
    }

    /** The words of {@code text} as the byte-level pre-tokenizer cuts them, raw (not yet mapped to byte characters). */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORDS.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** A word's UTF-8 bytes as GPT-2 byte characters, one per byte: the symbols BPE starts from. */
    public static String byteLevel(String word) {
        byte[] b = word.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = BYTE_CHARS[b[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * Learns up to {@code merges} merges from {@code wordCounts} (raw words, as {@link #words} cuts
     * them, to their counts). Stops early when no pair occurs twice.
     *
     * @return merges in rank order, each as its two byte-level pieces
     */
    public static List<String[]> train(Map<String, Long> wordCounts, int merges) {
        if (merges < 0) {
            throw new IllegalArgumentException("merges must be >= 0, got " + merges);
        }
        // A TreeMap fixes the word order, so equal counts never depend on hash order.
        List<List<String>> symbols = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        new TreeMap<>(wordCounts).forEach((word, count) -> {
            String mapped = byteLevel(word);
            List<String> s = new ArrayList<>(mapped.length());
            for (int i = 0; i < mapped.length(); i++) {
                s.add(String.valueOf(mapped.charAt(i)));
            }
            symbols.add(s);
            counts.add(count);
        });
        List<String[]> out = new ArrayList<>();
        while (out.size() < merges) {
            Map<String, Long> pairs = new HashMap<>();
            for (int w = 0; w < symbols.size(); w++) {
                List<String> s = symbols.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (mergeable(s.get(i)) && mergeable(s.get(i + 1))) {
                        pairs.merge(s.get(i) + ' ' + s.get(i + 1), counts.get(w), Long::sum);
                    }
                }
            }
            String best = null;
            long bestCount = 1;
            for (Map.Entry<String, Long> e : pairs.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) {
                break;
            }
            String[] pair = best.split(" ", 2);
            out.add(pair);
            for (List<String> s : symbols) {
                apply(s, pair[0], pair[1]);
            }
        }
        return out;
    }

    /**
     * The reference encoder of one word: apply {@code merges} in rank order, lowest rank first, as
     * BPE does. Slow; the tests hold the Rust tokenizer's ids equal to it.
     */
    public static List<String> encodeWord(String word, List<String[]> merges) {
        String mapped = byteLevel(word);
        List<String> s = new ArrayList<>();
        for (int i = 0; i < mapped.length(); i++) {
            s.add(String.valueOf(mapped.charAt(i)));
        }
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            rank.putIfAbsent(merges.get(i)[0] + ' ' + merges.get(i)[1], i);
        }
        while (s.size() > 1) {
            int bestAt = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < s.size(); i++) {
                Integer r = rank.get(s.get(i) + ' ' + s.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    bestAt = i;
                }
            }
            if (bestAt < 0) {
                break;
            }
            String[] m = merges.get(bestRank);
            apply(s, m[0], m[1]);
        }
        return s;
    }

    /** A piece may take part in a merge unless it holds a digit (numbers stay one token per digit). */
    private static boolean mergeable(String piece) {
        for (int i = 0; i < piece.length(); i++) {
            char c = piece.charAt(i);
            if (c >= '0' && c <= '9') {
                return false;
            }
        }
        return true;
    }

    /** Merges every left-to-right occurrence of {@code a b} in {@code s}, in place. */
    private static void apply(List<String> s, String a, String b) {
        for (int i = 0; i + 1 < s.size(); i++) {
            if (s.get(i).equals(a) && s.get(i + 1).equals(b)) {
                s.set(i, a + b);
                s.remove(i + 1);
            }
        }
    }
}
