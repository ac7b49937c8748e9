package org.meftspark.jobs.preprocess;

import java.io.Serializable;
import org.apache.spark.Partitioner;

/**
 * Sort key of the shard-writing shuffle: rows go to the partition of their shard and arrive
 * there sorted by id, so each shard's bytes are the same on every run.
 *
 * @param shard shard index from the {@link org.meftspark.shard.ShardPlan}
 * @param id    example id
 */
record ShardKey(int shard, String id) implements Comparable<ShardKey>, Serializable {

    @Override
    public int compareTo(ShardKey o) {
        int c = Integer.compare(shard, o.shard);
        return c != 0 ? c : id.compareTo(o.id);
    }

    /** Partition = shard. */
    static final class ByShard extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int shards;

        ByShard(int shards) {
            this.shards = shards;
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            return ((ShardKey) key).shard();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByShard b && b.shards == shards;
        }

        @Override
        public int hashCode() {
            return shards;
        }
    }
}
