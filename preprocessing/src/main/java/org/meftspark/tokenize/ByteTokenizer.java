package org.meftspark.tokenize;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * The built-in byte-level tokenizer of the embedded default: ids 0..255 are the UTF-8
 * bytes of the text, then three specials. Needs no files, so a fresh clone runs end to end.
 */
public final class ByteTokenizer implements Tokenizer {
    /** Beginning of sequence. */
    public static final int BOS = 256;
    /** End of sequence. */
    public static final int EOS = 257;
    /** Padding. */
    public static final int PAD = 258;
    /** The fingerprint; bump the version if the id layout ever changes. */
    public static final String FINGERPRINT = "meft-byte-tokenizer-v1";

    @Override
    public TokenizedText encode(String text) {
        // Upper bound: 3 bytes per UTF-16 char (a surrogate pair is 2 chars for 4 bytes).
        int[] ids = new int[text.length() * 3];
        int[] start = new int[ids.length];
        int[] end = new int[ids.length];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int chars = Character.charCount(cp);
            int from = n;
            if (cp < 0x80) {
                ids[n++] = cp;
            } else if (cp < 0x800) {
                ids[n++] = 0xC0 | (cp >> 6);
                ids[n++] = 0x80 | (cp & 0x3F);
            } else if (cp < 0x10000) {
                // A lone surrogate cannot be UTF-8; readers decode strictly, so none arrive here,
                // and it is encoded like any BMP code point rather than dropped.
                ids[n++] = 0xE0 | (cp >> 12);
                ids[n++] = 0x80 | ((cp >> 6) & 0x3F);
                ids[n++] = 0x80 | (cp & 0x3F);
            } else {
                ids[n++] = 0xF0 | (cp >> 18);
                ids[n++] = 0x80 | ((cp >> 12) & 0x3F);
                ids[n++] = 0x80 | ((cp >> 6) & 0x3F);
                ids[n++] = 0x80 | (cp & 0x3F);
            }
            for (int k = from; k < n; k++) {
                start[k] = i;
                end[k] = i + chars;
            }
            i += chars;
        }
        return new TokenizedText(java.util.Arrays.copyOf(ids, n), java.util.Arrays.copyOf(start, n),
                java.util.Arrays.copyOf(end, n));
    }

    /** Invalid byte sequences (a model can generate any) decode to U+FFFD. */
    @Override
    public String decode(int[] ids) {
        ByteBuffer bytes = ByteBuffer.allocate(ids.length);
        for (int id : ids) {
            if (id >= 0 && id < 256) {
                bytes.put((byte) id);
            }
        }
        bytes.flip();
        return StandardCharsets.UTF_8.decode(bytes).toString();
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
        return 259;
    }

    @Override
    public String fingerprint() {
        return FINGERPRINT;
    }

    @Override
    public void close() {
    }
}
