package org.meftspark.evaluation;

import java.util.OptionalInt;
import org.meftspark.tokenize.TokenizedText;
import org.meftspark.tokenize.Tokenizer;

/**
 * A 40-id test tokenizer whose every generated id decodes to a printable character or a newline, so
 * stop strings can be picked from what a random model actually writes. Ids 0..35 are a-z0-9, 36 is
 * '\n', then BOS, EOS, PAD. Encoding is lossy (other characters fold onto 0..35), which prompts do
 * not mind.
 */
final class CharTokenizer implements Tokenizer {
    static final String CHARS = "abcdefghijklmnopqrstuvwxyz0123456789\n";
    static final int BOS = 37;
    static final int EOS = 38;
    static final int PAD = 39;

    @Override
    public TokenizedText encode(String text) {
        int n = text.length();
        int[] ids = new int[n];
        int[] start = new int[n];
        int[] end = new int[n];
        for (int i = 0; i < n; i++) {
            int k = CHARS.indexOf(Character.toLowerCase(text.charAt(i)));
            ids[i] = k >= 0 ? k : text.charAt(i) % 36;
            start[i] = i;
            end[i] = i + 1;
        }
        return new TokenizedText(ids, start, end);
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id >= 0 && id < CHARS.length()) {
                sb.append(CHARS.charAt(id));
            }
        }
        return sb.toString();
    }

    @Override
    public OptionalInt bosId() {
        return OptionalInt.of(BOS);
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public int padId() {
        return PAD;
    }

    @Override
    public int vocabSize() {
        return 40;
    }

    @Override
    public String fingerprint() {
        return "test-char-tokenizer";
    }

    @Override
    public void close() {
    }
}
