package org.meftspark.data;

/**
 * Limits that keep a reader's memory bounded whatever the input holds.
 *
 * @param maxLineBytes   longest JSONL line accepted, in bytes; a longer line is skipped
 *                       (never buffered whole) and rejected as {@link RejectReason#LINE_TOO_LONG}
 * @param maxStringChars longest JSON string value accepted inside SQuAD/ToolBench documents;
 *                       Jackson stops there instead of buffering it
 *                       ({@link RejectReason#FIELD_TOO_LONG})
 */
public record ReaderOptions(int maxLineBytes, int maxStringChars) {

    /** 8 MiB lines and 8 Mi-char strings: far above any real record, far below a heap. */
    public static final ReaderOptions DEFAULTS = new ReaderOptions(8 << 20, 8 << 20);

    /** Checks the limits are positive. */
    public ReaderOptions {
        if (maxLineBytes <= 0 || maxStringChars <= 0) {
            throw new IllegalArgumentException("reader limits must be positive: " + maxLineBytes + ", " + maxStringChars);
        }
    }
}
