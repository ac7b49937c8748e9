package org.meftspark.jobs.train;

import java.io.Serializable;
import org.meftspark.config.RunVariant;

/**
 * What one training task needs: the variant (its whole configuration, validated on the driver and
 * shipped as a value) and where it trains.
 *
 * @param variant  the variant to train
 * @param trainDir the variant's training directory (any Hadoop path)
 */
record TrainTask(RunVariant variant, String trainDir) implements Serializable {
    private static final long serialVersionUID = 2L;

    String name() {
        return variant.name();
    }
}
