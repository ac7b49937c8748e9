package org.meftspark.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardPlanTest {

    /** Lays out random rows in 3 partitions and checks each split's shards hold T/n tokens within one row. */
    @Test
    void shardsOfEachSplitAreBalancedByTokensWithinOneRow() {
        Random rnd = new Random(7);
        int partitions = 3;
        int[][] lengths = new int[partitions][];
        String[][] splits = new String[partitions][];
        List<ShardPlan.PartitionTokens> totals = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int n = 200 + rnd.nextInt(300);
            lengths[p] = new int[n];
            splits[p] = new String[n];
            long trainTokens = 0;
            long devTokens = 0;
            long trainRows = 0;
            for (int i = 0; i < n; i++) {
                // Skewed lengths: a count-balanced split would be far off in tokens.
                lengths[p][i] = rnd.nextInt(10) == 0 ? 400 + rnd.nextInt(100) : 5 + rnd.nextInt(40);
                splits[p][i] = rnd.nextInt(5) == 0 ? "dev" : "train";
                if (splits[p][i].equals("train")) {
                    trainTokens += lengths[p][i];
                    trainRows++;
                } else {
                    devTokens += lengths[p][i];
                }
            }
            totals.add(new ShardPlan.PartitionTokens(p, "train", trainRows, trainTokens));
            totals.add(new ShardPlan.PartitionTokens(p, "dev", n - trainRows, devTokens));
        }
        long target = 4000;
        ShardPlan plan = ShardPlan.of(partitions, totals, target);
        long[] shardTokens = new long[plan.shardCount()];
        java.util.Map<Integer, java.util.Set<Integer>> partitionsOf = new java.util.HashMap<>();
        int maxRow = 0;
        long devTotal = 0;
        long trainTotal = 0;
        int minTrainShard = Integer.MAX_VALUE;
        int maxDevShard = -1;
        for (int p = 0; p < partitions; p++) {
            long dev = 0;
            long train = 0;
            for (int i = 0; i < lengths[p].length; i++) {
                boolean isDev = splits[p][i].equals("dev");
                int s = plan.shardOf(splits[p][i], p, isDev ? dev : train);
                shardTokens[s] += lengths[p][i];
                partitionsOf.computeIfAbsent(s, k -> new java.util.HashSet<>()).add(p);
                maxRow = Math.max(maxRow, lengths[p][i]);
                if (isDev) {
                    dev += lengths[p][i];
                    maxDevShard = Math.max(maxDevShard, s);
                } else {
                    train += lengths[p][i];
                    minTrainShard = Math.min(minTrainShard, s);
                }
            }
            devTotal += dev;
            trainTotal += train;
        }
        int devShards = (int) Math.ceil(devTotal / (double) target);
        int trainShards = (int) Math.ceil(trainTotal / (double) target);
        assertThat(plan.shardCount()).isEqualTo(devShards + trainShards);
        // Splits never share a shard; dev sorts before train.
        assertThat(maxDevShard).isEqualTo(devShards - 1);
        assertThat(minTrainShard).isEqualTo(devShards);
        for (int s = 0; s < plan.shardCount(); s++) {
            double ideal = s < devShards ? devTotal / (double) devShards : trainTotal / (double) trainShards;
            assertThat((double) shardTokens[s]).as("shard %d", s).isBetween(ideal - maxRow, ideal + maxRow);
        }
        // A shard not called shared holds rows of one partition; at most two per split (three partitions) are shared.
        assertThat(sharedShardsAfterCheckingTheOthers(plan, partitionsOf)).isBetween(1, 4);
    }

    /** Asserts every shard not called shared got rows of at most one partition; returns how many are shared. */
    private static int sharedShardsAfterCheckingTheOthers(ShardPlan plan,
                                                          java.util.Map<Integer, java.util.Set<Integer>> partitionsOf) {
        int shared = 0;
        for (int s = 0; s < plan.shardCount(); s++) {
            if (plan.shared(s)) {
                shared++;
            } else {
                assertThat(partitionsOf.getOrDefault(s, java.util.Set.of())).as("shard %d", s).hasSizeLessThanOrEqualTo(1);
            }
        }
        return shared;
    }

    @net.jqwik.api.Property(tries = 300)
    void aShardNotCalledSharedHoldsRowsOfOnePartitionOnly(@net.jqwik.api.ForAll long seed) {
        Random rnd = new Random(seed);
        int partitions = 1 + rnd.nextInt(6);
        int[][] lengths = new int[partitions][];
        List<ShardPlan.PartitionTokens> totals = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            lengths[p] = rnd.ints(rnd.nextInt(30), 1, 2 + rnd.nextInt(200)).toArray();
            totals.add(new ShardPlan.PartitionTokens(p, "train", lengths[p].length,
                    java.util.Arrays.stream(lengths[p]).asLongStream().sum()));
        }
        ShardPlan plan = ShardPlan.of(partitions, totals, 1 + rnd.nextInt(500));
        java.util.Map<Integer, java.util.Set<Integer>> partitionsOf = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            long offset = 0;
            for (int len : lengths[p]) {
                partitionsOf.computeIfAbsent(plan.shardOf("train", p, offset), k -> new java.util.HashSet<>()).add(p);
                offset += len;
            }
        }
        int shared = sharedShardsAfterCheckingTheOthers(plan, partitionsOf);
        assertThat(shared).as("shared shards").isLessThanOrEqualTo(Math.max(0, 2 * (partitions - 1)));
        if (partitions == 1) {
            assertThat(shared).isZero();
        }
    }

    @Test
    void neverMoreShardsThanRowsAndEmptySplitsGetNone() {
        ShardPlan plan = ShardPlan.of(2, List.of(new ShardPlan.PartitionTokens(0, "test", 2, 1000),
                new ShardPlan.PartitionTokens(1, "test", 0, 0), new ShardPlan.PartitionTokens(1, "dev", 0, 0)), 1);
        assertThat(plan.shardCount()).isEqualTo(2);
        assertThat(plan.shardOf("test", 0, 0)).isZero();
        assertThat(plan.shardOf("test", 0, 500)).isEqualTo(1);
        assertThatThrownBy(() -> plan.shardOf("dev", 0, 0)).hasMessageContaining("'dev' has no rows");
        assertThat(ShardPlan.of(1, List.of(), 10).shardCount()).isZero();
    }
}
