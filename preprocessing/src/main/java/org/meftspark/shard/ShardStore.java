package org.meftspark.shard;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Where shards and the manifest live: a local directory ({@link LocalShardStore}) or, in the
 * Spark job, a Hadoop {@code FileSystem} directory ({@code file:}, {@code hdfs:}, {@code s3a:}).
 * This library speaks only {@code java.nio} channels, so Hadoop is not its dependency.
 */
public interface ShardStore {

    /**
     * Opens a staged file that becomes visible under {@code name} only on
     * {@link PendingFile#commit()}: a failed or repeated run never leaves a half-written file
     * that looks whole.
     */
    PendingFile create(String name) throws IOException;

    /** Opens a committed file for reading. */
    ReadableByteChannel open(String name) throws IOException;

    /**
     * A committed file's length in bytes. The reader checks it against the manifest before reading,
     * so every length inside the file is then bounded by bytes that really exist.
     */
    long size(String name) throws IOException;

    /** Whether a committed file exists. */
    boolean exists(String name) throws IOException;

    /** A file being written. */
    interface PendingFile extends AutoCloseable {
        /** Where to write the bytes. */
        WritableByteChannel channel();

        /** Closes the channel and publishes the file under its final name (atomically where the store can). */
        void commit() throws IOException;

        /** Discards the staged bytes; a no-op after commit. Closing without commit aborts. */
        @Override
        void close() throws IOException;
    }
}
