package org.meftspark.spark;

import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.resource.ResourceProfile;

/**
 * Barrier stages that Spark can retry. All tasks of a barrier stage start together (what collectives
 * need), and when one fails Spark kills the others; it then resubmits the whole stage only if the stage
 * writes a shuffle: a failed barrier ResultStage aborts the job ("Could not recover from a failed barrier
 * ResultStage", DAGScheduler). So the stage's output goes through a one-partition shuffle, which makes
 * it a ShuffleMapStage, retried up to {@code spark.stage.maxConsecutiveAttempts} times (default 4);
 * each failed task also counts against {@code spark.task.maxFailures}, which must be at least 2 (the
 * default 4 outside local mode; {@code local[N,F]} in local mode).
 */
public final class BarrierStages {
    private BarrierStages() {
    }

    /**
     * {@code body} once per partition of {@code rdd}, all partitions at once, under {@code profile} (null:
     * the default profile), retried as a whole when a task fails; the results in one partition.
     */
    public static <T, R> JavaRDD<R> retriable(JavaRDD<T> rdd, FlatMapFunction<Iterator<T>, R> body, ResourceProfile profile) {
        scala.reflect.ClassTag<R> tag = scala.reflect.ClassTag$.MODULE$.apply(Object.class);
        RDD<R> stage = rdd.rdd().barrier().mapPartitions(new BarrierFunction<>(body), false, tag);
        if (profile != null) {
            stage = stage.withResources(profile);
        }
        return JavaRDD.fromRDD(stage, tag).repartition(1);
    }
}
