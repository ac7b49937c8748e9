package org.meftspark.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.meftspark.tokenize.TokenizedText;
import org.meftspark.tokenize.Tokenizer;

/**
 * Stop strings for generation. {@code TextGenerator} stops on token sequences, but a string has no
 * single tokenization: SentencePiece tokenizers such as Mistral's encode "\n" alone as
 * {@code ▁ <0x0A>} and after a word as {@code <0x0A>}. So each string gets its tokenization alone and
 * its tokenization after a word (only the tokens that lie inside the string), and the decoded text is
 * cut at the first stop string as well: the token sequences end generation early, the text cut makes
 * the answer right even when the model spells the stop string with other tokens.
 */
public final class StopStrings {
    /** A word the stop string is appended to, to see how it tokenizes in running text. */
    private static final String CONTEXT = "a";

    private StopStrings() {
    }

    /** The distinct token sequences that spell each stop string. */
    public static List<long[]> tokenSequences(Tokenizer tokenizer, List<String> stops) {
        List<long[]> out = new ArrayList<>();
        for (String s : stops) {
            add(out, toLong(tokenizer.encode(s).ids()));
            TokenizedText t = tokenizer.encode(CONTEXT + s);
            int first = 0;
            while (first < t.length() && t.charEnd()[first] <= CONTEXT.length()) {
                first++;
            }
            // A token that straddles the word and the stop string makes this variant meaningless.
            if (first < t.length() && t.charStart()[first] >= CONTEXT.length()) {
                add(out, toLong(Arrays.copyOfRange(t.ids(), first, t.length())));
            }
        }
        return out;
    }

    /** {@code text} up to the first occurrence of any stop string. */
    public static String cut(String text, List<String> stops) {
        int end = text.length();
        for (String s : stops) {
            int i = text.indexOf(s);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return text.substring(0, end);
    }

    private static void add(List<long[]> out, long[] seq) {
        if (seq.length > 0 && out.stream().noneMatch(x -> Arrays.equals(x, seq))) {
            out.add(seq);
        }
    }

    private static long[] toLong(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }
}
