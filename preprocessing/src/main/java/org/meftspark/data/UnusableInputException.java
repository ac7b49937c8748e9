package org.meftspark.data;

/**
 * An input that cannot be read at all (missing path, unreadable file, an I/O failure
 * mid-way): unlike a bad record, there is nothing to count and skip, so the job must
 * stop and tell the user which file to fix.
 */
public class UnusableInputException extends RuntimeException {
    /** Creates the exception; the message must name the file. */
    public UnusableInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
