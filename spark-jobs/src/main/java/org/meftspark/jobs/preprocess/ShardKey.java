package org.meftspark.jobs.preprocess;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.Partitioner;

/**
 * Sort key of the shuffle that writes shared shards: rows go to the partition of their shard and
 * arrive there sorted by id, so each shard's bytes are the same on every run.
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

    /** One partition per listed shard, in the list's (ascending) order. */
    static final class Among extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int[] shards;

        /** @param shards ascending shard indices */
        Among(int[] shards) {
            this.shards = shards.clone();
        }

        @Override
        public int numPartitions() {
            return shards.length;
        }

        @Override
        public int getPartition(Object key) {
            int at = Arrays.binarySearch(shards, ((ShardKey) key).shard());
            if (at < 0) {
                throw new IllegalArgumentException("shard " + ((ShardKey) key).shard() + " is not one of " + Arrays.toString(shards));
            }
            return at;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Among a && Arrays.equals(a.shards, shards);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(shards);
        }
    }
}
