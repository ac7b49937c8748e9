package org.meftspark.spark;

import java.util.Iterator;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;

/**
 * Stage-level GPU scheduling for the training stage: a task ResourceProfile asking
 * for GPUs, run as a barrier stage so all tasks of a sweep start together.
 *
 * <p>Spark cannot schedule GPUs in {@code local[N]}: a request there either errors or
 * hangs with no message (platform-notes.md). Executors that offer no GPUs hang the
 * same way. Both are refused here, before any job is submitted, with what to change.
 */
public final class GpuScheduling {

    /** Spark's resource name for GPUs. */
    public static final String GPU = "gpu";

    private GpuScheduling() {
    }

    /** Thrown when a GPU stage cannot be scheduled with this Spark configuration. */
    public static final class UnschedulableException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        UnschedulableException(String message) {
            super(message);
        }
    }

    /** Checks that {@code conf}'s cluster can run tasks that each need {@code gpusPerTask} GPUs. */
    public static void requireGpuScheduling(SparkConf conf, int gpusPerTask) {
        String master = conf.get("spark.master", "");
        if (master.equals("local") || master.startsWith("local[")) {
            throw new UnschedulableException("GPU tasks cannot be scheduled with --master " + master
                    + ": local mode has no GPU scheduling and Spark would hang waiting for a GPU. "
                    + "For a CPU run set training.device: cpu; for a GPU run submit to a standalone, YARN or "
                    + "Kubernetes master whose executors offer GPUs (spark.executor.resource.gpu.amount >= "
                    + gpusPerTask + ").");
        }
        double offered = conf.getDouble("spark.executor.resource." + GPU + ".amount", 0);
        if (offered < gpusPerTask) {
            throw new UnschedulableException("GPU tasks need " + gpusPerTask + " GPU(s) each but executors offer "
                    + (offered == 0 ? "none" : String.valueOf(offered))
                    + " (spark.executor.resource.gpu.amount); Spark would wait forever. Set "
                    + "spark.executor.resource.gpu.amount=" + gpusPerTask
                    + " and spark.executor.resource.gpu.discoveryScript=conf/gpu-discovery.sh "
                    + "(standalone workers also need spark.worker.resource.gpu.amount and its discoveryScript).");
        }
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new UnschedulableException("GPU training runs as a barrier stage, which Spark refuses under "
                    + "dynamic allocation: set spark.dynamicAllocation.enabled=false for the training job.");
        }
    }

    /** A task-level profile: {@code cpus} cores and {@code gpus} GPUs per task. */
    public static ResourceProfile taskProfile(int cpus, int gpus) {
        TaskResourceRequests task = new TaskResourceRequests().cpus(cpus).resource(GPU, gpus);
        return new ResourceProfileBuilder().require(task).build();
    }

    /**
     * Runs {@code body} once per partition of {@code rdd} as a barrier stage whose
     * tasks each hold {@code gpusPerTask} GPUs, retried as a whole when a task fails
     * ({@link BarrierStages}); inside, {@link TaskGpus#assigned()} gives the addresses
     * Spark assigned to the task.
     */
    public static <T, R> JavaRDD<R> onGpus(JavaRDD<T> rdd, int gpusPerTask, FlatMapFunction<Iterator<T>, R> body) {
        requireGpuScheduling(rdd.context().getConf(), gpusPerTask);
        int cpus = rdd.context().getConf().getInt("spark.task.cpus", 1);
        return BarrierStages.retriable(rdd, body, taskProfile(cpus, gpusPerTask));
    }
}
