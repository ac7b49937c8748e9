package org.meftspark.shard;

/**
 * A shard set that must not be used: missing or invalid manifest, another format version or
 * tokenizer, a checksum or row count that does not match. The message says which file and what to do.
 */
public class ShardVerificationException extends RuntimeException {
    /** Creates the exception. */
    public ShardVerificationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Creates the exception. */
    public ShardVerificationException(String message) {
        super(message);
    }
}
