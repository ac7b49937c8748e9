package org.meftspark.jobs.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunVariant;
import org.meftspark.config.TrainingSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.TorchRuntime;
import org.meftspark.distributed.DataParallel;
import org.meftspark.spark.BarrierStages;
import org.meftspark.spark.GpuScheduling;
import org.meftspark.spark.HadoopConf;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.spark.TaskGpus;
import org.meftspark.train.Checkpoints;
import org.meftspark.train.Trainer;
import org.meftspark.train.TrainingListener;
import org.meftspark.train.TrainingResult;

/**
 * The training stage (issue 7): one Spark task per variant of the run (a sweep trains its
 * variants in parallel, one per GPU or CPU slot, each in its own directory), or with
 * {@code training.data_parallel: W} W tasks per variant that train it together (issue 17): one
 * barrier stage of all of them, each rank finding its peers through {@link Rendezvous}, rank 0
 * writing the directory. Barrier stages are retried as a whole when a task fails
 * ({@link BarrierStages}), and every rank resumes from the last checkpoint.
 *
 * <p>GPU runs ({@code training.device: gpu}) go through stage-level scheduling: a barrier stage
 * whose tasks each hold {@code spark.task_gpus} GPUs, and each task binds libtorch to the address
 * in {@code TaskContext.resources()}. A GPU request Spark cannot satisfy (local mode, executors
 * without GPUs) is refused before anything is submitted ({@link GpuScheduling}). CPU runs are
 * chosen explicitly and train with CPU tensors, libtorch using the task's {@code spark.task.cpus}
 * threads. Every task resumes from its directory's last checkpoint when there is one.
 */
public final class Train {

    private Train() {
    }

    /** The training directory of a variant: {@code run.dir/run.name/variants/NAME/train}. */
    public static String trainDir(RunConfig c, String variant) {
        return c.run().dir() + "/" + c.run().name() + "/variants/" + variant + "/train";
    }

    /** Trains every variant; returns their outcomes in variant order. */
    public static List<TrainOutcome> run(SparkSession spark, List<RunVariant> variants) {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: no variants");
        }
        List<TrainTask> tasks = new ArrayList<>();
        for (RunVariant v : variants) {
            // Zero-shot trains nothing: one task records it, whatever data_parallel says.
            int ranks = v.config().adapter().method() == org.meftspark.config.AdapterSection.Method.NONE ? 1
                    : v.config().training().dataParallel();
            for (int rank = 0; rank < ranks; rank++) {
                tasks.add(new TrainTask(v, trainDir(v.config(), v.name()), rank, ranks));
            }
        }
        RunConfig first = variants.get(0).config();
        boolean gpu = first.training().device() == TrainingSection.Device.GPU;
        for (RunVariant v : variants) {
            if ((v.config().training().device() == TrainingSection.Device.GPU) != gpu) {
                throw new IllegalArgumentException("run.sweep: variant '" + v.name() + "' sets training.device differently "
                        + "from '" + variants.get(0).name() + "'; one training stage runs on GPUs or on CPUs, not both");
            }
        }
        boolean together = tasks.size() > variants.size(); // some variant trains on several ranks
        if (together && !gpu) {
            requireSlots(spark, tasks.size(), variants.size());
        }
        HadoopConf hadoop = new HadoopConf(spark.sparkContext().hadoopConfiguration());
        JavaRDD<TrainTask> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(tasks, tasks.size());
        FlatMapFunction<Iterator<TrainTask>, TrainOutcome> body = it -> {
            List<TrainOutcome> out = new ArrayList<>();
            while (it.hasNext()) {
                out.add(trainOne(it.next(), hadoop, gpu));
            }
            return out.iterator();
        };
        spark.sparkContext().setJobDescription("train " + variants.size() + " variant(s) on " + tasks.size() + " "
                + (gpu ? "GPU" : "CPU") + " task(s)");
        JavaRDD<TrainOutcome> outcomes = gpu ? GpuScheduling.onGpus(rdd, first.spark().taskGpus(), body)
                : together ? BarrierStages.retriable(rdd, body, null) : rdd.mapPartitions(body);
        return rankZero(outcomes.collect(), tasks);
    }

    /**
     * Rank 0's outcome of each variant, in variant order; the ranks' replica checksums must agree (the
     * trainer compared them already; a disagreement here means a rank reported another run).
     */
    private static List<TrainOutcome> rankZero(List<TrainOutcome> all, List<TrainTask> tasks) {
        List<TrainOutcome> result = new ArrayList<>();
        for (TrainOutcome o : all) {
            for (TrainOutcome p : all) {
                if (p.variant().equals(o.variant()) && !java.util.Objects.equals(p.stateSha256(), o.stateSha256())) {
                    throw new IllegalStateException("train " + o.variant() + ": ranks " + o.rank() + " and " + p.rank()
                            + " ended with different trained states (" + o.stateSha256() + " vs " + p.stateSha256() + ")");
                }
            }
            if (o.rank() == 0) {
                result.add(o);
            }
        }
        result.sort(java.util.Comparator.comparingInt(o -> indexOf(tasks, o.variant())));
        return result;
    }

    /**
     * A barrier stage needs all its tasks running at once; Spark's own check fails with a generic message
     * after minutes of retries. Executors may still be registering: wait up to a minute for enough slots.
     */
    private static void requireSlots(SparkSession spark, int needed, int variants) {
        org.apache.spark.SparkContext sc = spark.sparkContext();
        // Local mode's slots are fixed; a cluster's executors may still be registering.
        long deadline = System.nanoTime() + (sc.isLocal() ? 0 : 60_000_000_000L);
        int slots = sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
        while (slots < needed && System.nanoTime() < deadline) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            slots = sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
        }
        if (slots < needed) {
            throw new IllegalStateException("training needs " + needed + " task slots at once (" + variants + " variant(s), "
                    + "training.data_parallel ranks each, zero-shot one, in one barrier stage) but the cluster offers " + slots
                    + " (executor cores / spark.task.cpus); add executors or cores, or lower training.data_parallel");
        }
    }

    private static int indexOf(List<TrainTask> tasks, String variant) {
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).name().equals(variant)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /**
     * Runs inside the task: bind the device, join the variant's other ranks, train (resuming when possible),
     * publish (rank 0; on a remote run directory each checkpoint as it is written, the rest at the end).
     */
    static TrainOutcome trainOne(TrainTask task, HadoopConf hadoop, boolean gpu) throws IOException {
        long start = System.nanoTime();
        RunConfig cfg = task.variant().config();
        if (cfg.training().dataParallel() != task.ranks()) { // zero-shot: one task, whatever data_parallel says
            cfg = cfg.withTraining(cfg.training().withParallelism(task.ranks(), cfg.training().gradientAccumulation()));
        }
        ComputeDevice device = gpu ? gpuDevice(cfg, task.name()) : ComputeDevice.cpu();
        // What the outcome reports: the device, and with GPU scheduling the address Spark assigned.
        String where = (gpu ? device + " (Spark GPU " + String.join(",", TaskGpus.assigned()) + ")" : device.toString())
                + (task.ranks() > 1 ? " x " + task.ranks() + " ranks" : "");
        if (!device.cuda()) {
            TaskContext ctx = TaskContext.get();
            org.meftspark.device.TorchRuntime.setThreads(ctx == null ? 1 : ctx.cpus());
        }
        String who = "train " + task.name() + (task.ranks() > 1 ? " rank " + task.rank() + "/" + task.ranks() : "") + ": ";
        // The rendezvous first, while the stage's tasks start together; then the directory, whose copy from a
        // remote run directory can take a while, bounded by the first collective's timeout.
        try (DataParallel dp = TaskContext.get() instanceof org.apache.spark.BarrierTaskContext
                     ? Rendezvous.join(task, device.cuda()) : DataParallel.single();
             TrainDirectory dir = TrainDirectory.open(task.trainDir(), hadoop.get())) {
            boolean resume = Checkpoints.latest(dir.local()).isPresent();
            long resumedAt = resume ? Checkpoints.readState(Checkpoints.latest(dir.local()).get()).step() : 0;
            System.err.printf("%s%s on %s%s%n", who, cfg.adapter().method().name().toLowerCase(),
                    where, resume ? ", resuming at step " + resumedAt : "");
            TrainingResult r = Trainer.run(cfg, new HadoopShardStore(cfg.data().shards(), hadoop), dir.local(), resume,
                    listener(task, who, dir, hadoop), device, dp);
            if (task.rank() == 0) {
                dir.publish(hadoop.get());
            }
            String checkpoint = r.checkpoint() == null ? "" : dir.local().relativize(r.checkpoint()).toString();
            return new TrainOutcome(task.name(), where, resumedAt, r.stepsDone(), r.totalSteps(),
                    r.lastLoss(), r.badSteps(), checkpoint, (System.nanoTime() - start) / 1e9, task.rank(), task.ranks(),
                    r.stateSha256());
        } catch (UncheckedIOException e) {
            throw new IOException(who + e.getMessage(), e);
        }
    }

    /**
     * Progress on the executor's stderr (rank 0), a stop when Spark killed the task (a failed barrier
     * stage kills its other tasks without interrupting them), the debug hooks of {@link TrainFaults},
     * and each checkpoint's publication (rank 0).
     */
    private static TrainingListener listener(TrainTask task, String who, TrainDirectory dir, HadoopConf hadoop) {
        TrainingListener progress = task.rank() == 0 ? progress(who) : TrainingListener.NONE;
        TrainFaults faults = TrainFaults.from(hadoop.get());
        TaskContext ctx = TaskContext.get();
        return new TrainingListener() {
            @Override
            public void onStart(org.meftspark.train.TrainingRun run) {
                progress.onStart(run);
            }

            @Override
            public void onStep(org.meftspark.train.StepMetrics m) {
                progress.onStep(m);
                if (ctx != null) {
                    ctx.killTaskIfInterrupted();
                }
                faults.afterStep(task.rank(), m.step());
            }

            @Override
            public void onCheckpoint(java.nio.file.Path checkpoint) {
                try {
                    dir.publishCheckpoint(checkpoint, hadoop.get());
                } catch (IOException e) {
                    throw new UncheckedIOException(who + "cannot publish " + checkpoint + ": " + e.getMessage(), e);
                }
            }

            @Override
            public void onEnd(TrainingResult r) {
                progress.onEnd(r);
            }
        };
    }

    /** The GPU Spark assigned to this task, as a libtorch device. */
    private static ComputeDevice gpuDevice(RunConfig cfg, String variant) {
        List<String> addresses = TaskGpus.assigned();
        Integer index = ComputeDevice.sparkGpuIndex(addresses);
        if (TorchRuntime.cudaDevices() > 0) {
            return ComputeDevice.select(ComputeDevice.Preference.CUDA, index);
        }
        if (cfg.training().cudaRequired()) {
            throw new IllegalStateException("train " + variant + ": Spark assigned GPU " + addresses + " but libtorch finds "
                    + "no CUDA device (the CPU build, or no driver). Build with 'mvn -Pgpu -Pcluster package' and run on "
                    + "hosts with CUDA 13, or set training.cuda_required: false to rehearse the scheduling on the CPU");
        }
        System.err.println("train " + variant + ": GPU " + addresses + " assigned, but libtorch has no CUDA; training on "
                + "the CPU because training.cuda_required is false");
        return ComputeDevice.cpu();
    }

    /**
     * Plain progress lines on the executor's stderr, every 10 steps and the last: step/total, loss,
     * learning rate, tokens/s and ETA, prefixed with the variant (several train side by side).
     */
    private static TrainingListener progress(String prefix) {
        return new org.meftspark.train.ConsoleProgress(System.err, false, 10, prefix);
    }
}
