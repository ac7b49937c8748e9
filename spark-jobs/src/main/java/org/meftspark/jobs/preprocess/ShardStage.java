package org.meftspark.jobs.preprocess;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSError;
import org.apache.spark.TaskContext;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.meftspark.shard.ShardPlan;
import org.meftspark.shard.ShardStore;
import org.meftspark.shard.ShardWriter;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.tokenize.TokenizedExample;
import scala.Tuple2;

/**
 * Balances rows into shards by token count ({@link ShardPlan}) and writes one Arrow file per
 * shard. A shard whose rows all lie in one partition (every shard when there is one partition,
 * all but at most one per partition boundary otherwise) is written by that partition's task, in
 * the partition's id order, without a shuffle; only the shards the plan calls shared go through a
 * shuffle that sorts their rows by id. Both give the bytes the all-shuffle writer gave: a shard's
 * rows sorted by id.
 *
 * <p>A task attempt writes its own file names ({@code part-NNNNN.attempt-T.arrow}); the driver
 * renames the attempt whose result Spark kept, so a retried or speculative attempt can never
 * replace a shard behind the manifest's checksum.
 */
final class ShardStage {
    /** Starts the message of a failed shard write, which the driver looks for in Spark's task failure text. */
    static final String WRITE_FAILED = "cannot write shard ";

    /** Tokens per Arrow record batch at most: 1 Mi tokens is about 5 MiB of ids and mask per batch in a reader. */
    static final long MAX_BATCH_TOKENS = 1 << 20;

    /**
     * One shard a task wrote.
     *
     * @param shard       planned shard index
     * @param attemptFile the file the winning attempt committed in the staging directory
     * @param summary     its manifest entry (named after the planned index) and length histogram
     */
    record Written(int shard, String attemptFile, ShardWriter.ShardSummary summary) implements java.io.Serializable {
    }

    private ShardStage() {
    }

    /**
     * Writes every shard: one job for the partition-local shards, and one with a shuffle for the shared ones,
     * if any. Returns what each non-empty shard's task wrote.
     */
    static List<Written> write(JavaRDD<TokenizedExample> rows, ShardPlan plan, HadoopShardStore staging,
                               int maxBatchRows) {
        if (plan.shardCount() == 0) {
            return List.of();
        }
        List<Written> out = new ArrayList<>(rows.mapPartitionsWithIndex(
                (p, it) -> writeLocal(plan, p, it, staging, maxBatchRows), false).collect());
        int[] shared = IntStream.range(0, plan.shardCount()).filter(plan::shared).toArray();
        if (shared.length > 0) {
            out.addAll(rows.mapPartitionsWithIndex((p, it) -> assign(plan, p, it), false)
                    .filter(t -> plan.shared(t._1().shard())).mapToPair(t -> t)
                    .repartitionAndSortWithinPartitions(new ShardKey.Among(shared))
                    .mapPartitionsWithIndex((i, it) -> writeShared(shared[i], it, staging, maxBatchRows), false)
                    .collect());
        }
        return out;
    }

    /**
     * Streams a partition, writing the rows of its local shards: one file open per split at a time, since a
     * split's shard index only grows along the partition. Rows of shared shards are skipped here.
     */
    private static Iterator<Written> writeLocal(ShardPlan plan, int partition, Iterator<TokenizedExample> it,
                                                HadoopShardStore store, int maxBatchRows) throws IOException {
        RowShards shards = new RowShards(plan, partition);
        Map<String, OpenShard> open = new HashMap<>();
        List<Written> done = new ArrayList<>();
        try {
            while (it.hasNext()) {
                TokenizedExample e = it.next();
                int shard = shards.next(e);
                if (plan.shared(shard)) {
                    continue;
                }
                OpenShard o = open.get(e.split());
                if (o == null || o.shard != shard) {
                    if (o != null) {
                        open.remove(e.split());
                        done.add(o.finish());
                    }
                    o = new OpenShard(shard, store, maxBatchRows);
                    open.put(e.split(), o);
                }
                o.write(e);
            }
            for (String split : List.copyOf(open.keySet())) {
                done.add(open.remove(split).finish());
            }
            return done.iterator();
        } finally {
            for (OpenShard o : open.values()) {
                o.abort();
            }
        }
    }

    /** Streams a partition, keying each row by its shard (same order as {@link Tally} saw it). */
    private static Iterator<Tuple2<ShardKey, TokenizedExample>> assign(ShardPlan plan, int partition,
                                                                       Iterator<TokenizedExample> it) {
        RowShards shards = new RowShards(plan, partition);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Tuple2<ShardKey, TokenizedExample> next() {
                TokenizedExample e = it.next();
                return new Tuple2<>(new ShardKey(shards.next(e), e.id()), e);
            }
        };
    }

    private static Iterator<Written> writeShared(int shard, Iterator<Tuple2<ShardKey, TokenizedExample>> rows,
                                                 HadoopShardStore store, int maxBatchRows) throws IOException {
        if (!rows.hasNext()) {
            return List.<Written>of().iterator();
        }
        OpenShard o = new OpenShard(shard, store, maxBatchRows);
        try {
            while (rows.hasNext()) {
                o.write(rows.next()._2());
            }
            return List.of(o.finish()).iterator();
        } finally {
            o.abort();
        }
    }

    /**
     * The shard of each row of one partition, fed in the partition's order (the order {@link Tally} counted):
     * the plan places a row by its token offset within its split in the partition.
     */
    private static final class RowShards {
        private final ShardPlan plan;
        private final int partition;
        private final Map<String, Long> offset = new HashMap<>();

        RowShards(ShardPlan plan, int partition) {
            this.plan = plan;
            this.partition = partition;
        }

        int next(TokenizedExample e) {
            long at = offset.getOrDefault(e.split(), 0L);
            offset.put(e.split(), at + e.inputIds().length);
            return plan.shardOf(e.split(), partition, at);
        }
    }

    /** One shard file being written by this task attempt; any failure names the file. */
    private static final class OpenShard {
        final int shard;
        private final String attempt;
        private final HadoopShardStore store;
        private final ShardStore.PendingFile file;
        private final ShardWriter writer;

        OpenShard(int shard, HadoopShardStore store, int maxBatchRows) throws IOException {
            this.shard = shard;
            this.store = store;
            this.attempt = String.format("part-%05d.attempt-%d.arrow", shard, TaskContext.get().taskAttemptId());
            ShardStore.PendingFile f = null;
            try {
                f = store.create(attempt);
                this.writer = new ShardWriter(f.channel(), String.format("part-%05d.arrow", shard), maxBatchRows,
                        MAX_BATCH_TOKENS);
                this.file = f;
            } catch (IOException | FSError | RuntimeException e) {
                if (f != null) {
                    f.close();
                }
                throw named(e);
            }
        }

        void write(TokenizedExample e) throws IOException {
            try {
                writer.write(e);
            } catch (IOException | FSError x) {
                throw named(x);
            }
        }

        /**
         * Writes the footer and commits the file; a failure discards it here. The callers have already let go of
         * this shard when they finish it (writeLocal takes it out of its open map first), so a file whose footer
         * or last batch met a full disk stayed open, deleted but holding its space, and the disk could not be
         * remounted read-only ("mount point is busy", ShardWriteTinyDiskTest).
         */
        Written finish() throws IOException {
            boolean committed = false;
            try {
                ShardWriter.ShardSummary summary = writer.finish(); // also closes the writer
                file.commit();
                committed = true;
                return new Written(shard, attempt, summary);
            } catch (IOException | FSError x) {
                throw named(x);
            } finally {
                if (!committed) {
                    abort();
                }
            }
        }

        /**
         * Discards the file after a failure; a no-op after {@link #finish()}. Quiet: the task is already failing
         * with the error that names the file, and closing on a full disk fails again (an FSError that would
         * replace it).
         */
        void abort() {
            try (ShardStore.PendingFile f = file) {
                writer.close();
            } catch (IOException | FSError | RuntimeException ignored) {
                // the staged bytes are abandoned either way; the staging folder is removed by the abort
            }
        }

        /**
         * A full disk says only "No space left on device" (Hadoop's local file system even wraps it in FSError,
         * an Error): name the file, so the user knows which disk to look at.
         */
        private IOException named(Throwable e) {
            String why = e instanceof FSError && e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            return new IOException(WRITE_FAILED + new org.apache.hadoop.fs.Path(store.dir(), attempt) + ": " + why, e);
        }
    }
}
