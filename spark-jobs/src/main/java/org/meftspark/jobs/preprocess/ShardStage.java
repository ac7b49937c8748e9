package org.meftspark.jobs.preprocess;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSError;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.meftspark.shard.ShardPlan;
import org.meftspark.shard.ShardStore;
import org.meftspark.shard.ShardWriter;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.tokenize.TokenizedExample;
import scala.Tuple2;

/**
 * Balances rows into shards by token count ({@link ShardPlan}) and writes one Arrow file per
 * shard from its task. A task attempt writes its own file name
 * ({@code part-NNNNN.attempt-T.arrow}); the driver renames the attempt whose result Spark
 * kept, so a retried or speculative attempt can never replace a shard behind the manifest's
 * checksum.
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

    /** Assigns, shuffles and writes; returns what each non-empty shard's task wrote. */
    static List<Written> write(JavaRDD<TokenizedExample> rows, ShardPlan plan, HadoopShardStore staging,
                               int maxBatchRows) {
        if (plan.shardCount() == 0) {
            return List.of();
        }
        return rows.mapPartitionsWithIndex((p, it) -> assign(plan, p, it), false).mapToPair(t -> t)
                .repartitionAndSortWithinPartitions(new ShardKey.ByShard(plan.shardCount()))
                .mapPartitionsWithIndex((shard, it) -> writeShard(shard, it, staging, maxBatchRows), false)
                .collect();
    }

    /** Streams a partition, keying each row by its shard (same order as {@link Tally} saw it). */
    private static Iterator<Tuple2<ShardKey, TokenizedExample>> assign(ShardPlan plan, int partition,
                                                                       Iterator<TokenizedExample> it) {
        Map<String, Long> offset = new HashMap<>();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Tuple2<ShardKey, TokenizedExample> next() {
                TokenizedExample e = it.next();
                long at = offset.getOrDefault(e.split(), 0L);
                offset.put(e.split(), at + e.inputIds().length);
                return new Tuple2<>(new ShardKey(plan.shardOf(e.split(), partition, at), e.id()), e);
            }
        };
    }

    private static Iterator<Written> writeShard(int shard, Iterator<Tuple2<ShardKey, TokenizedExample>> rows,
                                                HadoopShardStore store, int maxBatchRows) throws IOException {
        if (!rows.hasNext()) {
            return List.<Written>of().iterator();
        }
        String name = String.format("part-%05d.arrow", shard);
        String attempt = String.format("part-%05d.attempt-%d.arrow", shard, TaskContext.get().taskAttemptId());
        try (ShardStore.PendingFile file = store.create(attempt);
             ShardWriter writer = new ShardWriter(file.channel(), name, maxBatchRows, MAX_BATCH_TOKENS)) {
            while (rows.hasNext()) {
                writer.write(rows.next()._2());
            }
            ShardWriter.ShardSummary summary = writer.finish();
            file.commit();
            return List.of(new Written(shard, attempt, summary)).iterator();
        } catch (IOException | FSError e) {
            // A full disk says only "No space left on device" (Hadoop's local file system even wraps it in
            // FSError, an Error): name the file, so the user knows which disk to look at.
            String why = e instanceof FSError && e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IOException(WRITE_FAILED + new org.apache.hadoop.fs.Path(store.dir(), attempt) + ": " + why, e);
        }
    }
}
