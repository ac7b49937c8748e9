package org.meftspark.tokenize;

/** Which end of the truncatable prompt field loses tokens when a sequence is too long. */
public enum TruncationSide {
    /** Drop the field's first tokens (keeps the end, e.g. the question at the end of a long problem). */
    LEFT,
    /** Drop the field's last tokens (Hugging Face's default). */
    RIGHT
}
