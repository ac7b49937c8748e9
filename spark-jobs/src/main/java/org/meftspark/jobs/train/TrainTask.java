package org.meftspark.jobs.train;

import java.io.Serializable;
import org.meftspark.config.RunVariant;

/**
 * What one training task needs: the variant (its whole configuration, validated on the driver and
 * shipped as a value), where it trains, and its rank among the {@code training.data_parallel} tasks
 * that train it together (issue 17; rank 0 of 1 for a one-rank run).
 *
 * @param variant  the variant to train
 * @param trainDir the variant's training directory (any Hadoop path)
 * @param rank     this task's rank, 0 .. ranks - 1
 * @param ranks    tasks training this variant together
 */
record TrainTask(RunVariant variant, String trainDir, int rank, int ranks) implements Serializable {
    private static final long serialVersionUID = 3L;

    String name() {
        return variant.name();
    }
}
