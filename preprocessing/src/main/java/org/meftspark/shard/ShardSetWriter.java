package org.meftspark.shard;

import java.io.IOException;
import org.meftspark.data.Rejection;
import org.meftspark.tokenize.TokenizedExample;

/**
 * Writes a whole shard set in one process (the embedded default and tests; the Spark job
 * uses {@link ShardWriter} per partition and {@link ManifestBuilder} on the driver).
 * Shards roll over every {@code rowsPerShard} rows as {@code part-00000.arrow}, ...; each is
 * committed atomically when full, and {@code manifest.json} is committed last, so a
 * directory without a manifest is never mistaken for a complete output.
 */
public final class ShardSetWriter implements AutoCloseable {
    private final ShardStore store;
    private final ManifestBuilder manifest;
    private final int rowsPerShard;
    private final int maxBatchRows;
    private final long maxBatchTokens;
    private ShardStore.PendingFile pending;
    private ShardWriter writer;
    private long rowsInShard;
    private int shardIndex;
    private Manifest result;

    /**
     * @param store          where to write
     * @param manifest       tokenizer, templates and settings of this run
     * @param rowsPerShard   rows per shard file
     * @param maxBatchRows   rows per record batch at most
     * @param maxBatchTokens tokens per record batch at most
     */
    public ShardSetWriter(ShardStore store, ManifestBuilder manifest, int rowsPerShard, int maxBatchRows, long maxBatchTokens)
            throws IOException {
        if (store.exists(Manifest.FILE_NAME)) {
            throw new IllegalStateException("a shard set with a manifest already exists in this store; refusing to overwrite it");
        }
        this.store = store;
        this.manifest = manifest;
        this.rowsPerShard = rowsPerShard;
        this.maxBatchRows = maxBatchRows;
        this.maxBatchTokens = maxBatchTokens;
    }

    /** Appends one sequence. */
    public void write(TokenizedExample e) throws IOException {
        if (writer == null) {
            String name = String.format("part-%05d.arrow", shardIndex++);
            pending = store.create(name);
            writer = new ShardWriter(pending.channel(), name, maxBatchRows, maxBatchTokens);
        }
        writer.write(e);
        if (++rowsInShard >= rowsPerShard) {
            commitShard();
        }
    }

    /** Counts a rejection (from a reader or the sequence builder). */
    public void reject(Rejection r) {
        manifest.reject(r.reason());
    }

    private void commitShard() throws IOException {
        manifest.addShard(writer.finish());
        pending.commit();
        writer = null;
        pending = null;
        rowsInShard = 0;
    }

    /** Commits the open shard and then the manifest; returns the manifest. */
    public Manifest finish() throws IOException {
        if (writer != null) {
            commitShard();
        }
        result = manifest.build();
        result.writeTo(store);
        return result;
    }

    /** Discards an unfinished shard (its staged file is deleted); committed shards stay without a manifest. */
    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
            pending.close();
        }
    }
}
