package org.meftspark.tokenize;

/**
 * Token ids of a text with the characters each token covers.
 *
 * @param ids       token ids, shape [n]
 * @param charStart first UTF-16 char of each token in the source text, shape [n]
 * @param charEnd   one past the last UTF-16 char of each token, shape [n]; a character split into
 *                  several tokens (byte fallback) gives each of them the whole character's span
 */
public record TokenizedText(int[] ids, int[] charStart, int[] charEnd) {
    /** Checks the three arrays agree in length. */
    public TokenizedText {
        if (ids.length != charStart.length || ids.length != charEnd.length) {
            throw new IllegalArgumentException("ids, charStart and charEnd differ in length");
        }
    }

    /** Number of tokens. */
    public int length() {
        return ids.length;
    }
}
