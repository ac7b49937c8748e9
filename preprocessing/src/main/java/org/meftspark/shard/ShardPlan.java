package org.meftspark.shard;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which shard each row goes to, so that every split's shards hold about the same number of
 * tokens (issue 3, item 6). Computed from per-partition token totals, without moving a row:
 * the rows of a split, in partition order and then in their order within the partition, are
 * laid end to end on one token axis of length T; a split gets {@code n = ceil(T / shardTokens)}
 * shards (at least 1, at most one per row), and a row starting at token offset {@code s}
 * goes to shard {@code floor(s * n / T)}. Each shard therefore holds {@code T / n} tokens
 * give or take one row. Shards are numbered split by split in split-name order, so a
 * consumer of one split reads only that split's files.
 *
 * <p>The plan is deterministic given the totals, hence given the partitioning and the order
 * of rows within partitions.
 *
 * <p>It also says which shards may hold rows of more than one partition ({@link #shared}): the
 * others can be written by their one partition's task, in the partition's own order, with no
 * shuffle. A shard is called shared when the token ranges of two partitions reach into it, which
 * may count a shard whose rows all start in one partition (a partition's last row reaching past
 * the boundary), never the other way round.
 */
public final class ShardPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Rows and tokens of one split in one partition.
     *
     * @param partition partition index
     * @param split     split name
     * @param rows      rows of that split in the partition
     * @param tokens    their tokens
     */
    public record PartitionTokens(int partition, String split, long rows, long tokens) implements Serializable {
    }

    /** One split's share: shards [firstShard, firstShard + shards), and where each partition starts on its token axis. */
    private record SplitPlan(int firstShard, int shards, long tokens, long[] startByPartition) implements Serializable {
    }

    private final Map<String, SplitPlan> splits;
    private final int shardCount;
    /** Per shard: whether more than one partition's rows may go to it. */
    private final boolean[] shared;

    private ShardPlan(Map<String, SplitPlan> splits, int shardCount) {
        this.splits = splits;
        this.shardCount = shardCount;
        this.shared = new boolean[shardCount];
        for (SplitPlan p : splits.values()) {
            int[] partitionsIn = new int[p.shards()];
            long[] start = p.startByPartition();
            for (int q = 0; q < start.length; q++) {
                long end = q + 1 < start.length ? start[q + 1] : p.tokens();
                if (end > start[q]) {
                    for (int k = index(p, start[q]); k <= index(p, end - 1); k++) {
                        partitionsIn[k]++;
                    }
                }
            }
            for (int k = 0; k < p.shards(); k++) {
                shared[p.firstShard() + k] = partitionsIn[k] > 1;
            }
        }
    }

    /**
     * Plans the shards.
     *
     * @param partitions  number of partitions the totals come from
     * @param totals      per (partition, split) totals; absent pairs mean zero
     * @param shardTokens target tokens per shard, positive
     */
    public static ShardPlan of(int partitions, List<PartitionTokens> totals, long shardTokens) {
        if (shardTokens <= 0) {
            throw new IllegalArgumentException("shardTokens must be positive: " + shardTokens);
        }
        Map<String, long[]> tokensByPartition = new TreeMap<>();
        Map<String, long[]> rows = new TreeMap<>();
        for (PartitionTokens t : totals) {
            if (t.partition() < 0 || t.partition() >= partitions) {
                throw new IllegalArgumentException("partition " + t.partition() + " outside [0, " + partitions + ")");
            }
            tokensByPartition.computeIfAbsent(t.split(), s -> new long[partitions])[t.partition()] += t.tokens();
            rows.computeIfAbsent(t.split(), s -> new long[1])[0] += t.rows();
        }
        Map<String, SplitPlan> plans = new TreeMap<>();
        int next = 0;
        for (Map.Entry<String, long[]> e : tokensByPartition.entrySet()) {
            long[] byPartition = e.getValue();
            long[] start = new long[partitions];
            long total = 0;
            for (int p = 0; p < partitions; p++) {
                start[p] = total;
                total += byPartition[p];
            }
            long splitRows = rows.get(e.getKey())[0];
            if (splitRows == 0) {
                continue;
            }
            long wanted = Math.max(1, (total + shardTokens - 1) / shardTokens);
            int n = (int) Math.min(Math.min(wanted, splitRows), Integer.MAX_VALUE - next);
            plans.put(e.getKey(), new SplitPlan(next, n, total, start));
            next += n;
        }
        return new ShardPlan(plans, next);
    }

    /** Number of shards over all splits. */
    public int shardCount() {
        return shardCount;
    }

    /**
     * The shard of a row.
     *
     * @param split     the row's split
     * @param partition the partition the row is in
     * @param offset    tokens of the same split before this row in its partition
     */
    public int shardOf(String split, int partition, long offset) {
        SplitPlan p = splits.get(split);
        if (p == null) {
            throw new IllegalArgumentException("split '" + split + "' has no rows in this plan");
        }
        return p.firstShard() + index(p, p.startByPartition()[partition] + offset);
    }

    /** Whether rows of more than one partition may go to {@code shard} (see the class comment). */
    public boolean shared(int shard) {
        return shared[shard];
    }

    /** The shard within its split of a row starting at {@code start} on the split's token axis. */
    private static int index(SplitPlan p, long start) {
        // start * n / tokens in floating point: exact enough (off by at most one row's boundary
        // at ~2^53 tokens) and identical on every JVM.
        int k = (int) Math.floor((double) start * p.shards() / Math.max(1, p.tokens()));
        return Math.min(Math.max(k, 0), p.shards() - 1);
    }
}
