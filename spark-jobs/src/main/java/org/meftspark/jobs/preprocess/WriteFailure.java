package org.meftspark.jobs.preprocess;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The message of an output the job could not write (a full disk, permissions, a quota). The kernel's
 * reason alone ("No space left on device") does not say which disk, and Spark's "Job aborted due to
 * stage failure" text buries it in pages of stack traces; the user needs the path, the reason, that
 * the shard set already at data.shards is untouched, and what to do next.
 */
final class WriteFailure {
    /** Follows the path and the reason in every such message. */
    static final String NEXT = "; nothing was published to data.shards (a shard set already there is unchanged). "
            + "Free space or fix the permissions there and run again";

    private WriteFailure() {
    }

    /**
     * "preprocess: " {@code failure} and {@link #NEXT}, with {@code e} as the cause.
     *
     * @param failure what could not be written, where and why, e.g.
     *                "cannot write the rejects to file:/x/_rejects: No space left on device"
     */
    static UncheckedIOException of(String failure, Throwable e) {
        String m = "preprocess: " + failure + NEXT;
        return new UncheckedIOException(m, new IOException(m, e));
    }

    /**
     * The reason a write failed: the first line of the innermost exception's message, when that is an
     * I/O error (Hadoop's local file system wraps the kernel's in an FSError, which is its cause);
     * null when the failure was something else, which the caller reports as it is.
     */
    static String ioReason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (!(root instanceof IOException)) {
            return null;
        }
        String m = String.valueOf(root.getMessage());
        int eol = m.indexOf('\n');
        return eol < 0 ? m : m.substring(0, eol);
    }
}
