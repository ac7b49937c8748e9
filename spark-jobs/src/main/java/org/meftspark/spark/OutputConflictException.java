package org.meftspark.spark;

/**
 * An output location already holds something this run must not replace: a finished output when
 * overwriting was not asked for, or a run directory made by another configuration. Nothing is
 * written; the user chooses another location or allows the replacement, so the commands treat it as
 * a usage problem (exit 2, {@code org.meftspark.jobs.ExitCodes}), not as a failed job. An
 * {@link IllegalStateException}, as the refusal always was, so callers catching that still do.
 */
public final class OutputConflictException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message what is there, why it is kept, and what to pass or change instead */
    public OutputConflictException(String message) {
        super(message);
    }
}
