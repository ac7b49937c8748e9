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
import org.bytedeco.pytorch.global.torch;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunVariant;
import org.meftspark.config.TrainingSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.TorchRuntime;
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
 * variants in parallel, one per GPU or CPU slot, each in its own directory).
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
            tasks.add(new TrainTask(v, trainDir(v.config(), v.name())));
        }
        RunConfig first = variants.get(0).config();
        boolean gpu = first.training().device() == TrainingSection.Device.GPU;
        for (RunVariant v : variants) {
            if ((v.config().training().device() == TrainingSection.Device.GPU) != gpu) {
                throw new IllegalArgumentException("run.sweep: variant '" + v.name() + "' sets training.device differently "
                        + "from '" + variants.get(0).name() + "'; one training stage runs on GPUs or on CPUs, not both");
            }
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
        spark.sparkContext().setJobDescription("train " + tasks.size() + " variant(s) on " + (gpu ? "GPUs" : "CPUs"));
        JavaRDD<TrainOutcome> outcomes = gpu ? GpuScheduling.onGpus(rdd, first.spark().taskGpus(), body)
                : rdd.mapPartitions(body);
        List<TrainOutcome> result = new ArrayList<>(outcomes.collect());
        result.sort(java.util.Comparator.comparingInt(o -> indexOf(tasks, o.variant())));
        return result;
    }

    private static int indexOf(List<TrainTask> tasks, String variant) {
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).name().equals(variant)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** Runs inside the task: bind the device, train (resuming when possible), publish. */
    static TrainOutcome trainOne(TrainTask task, HadoopConf hadoop, boolean gpu) throws IOException {
        long start = System.nanoTime();
        RunConfig cfg = task.variant().config();
        ComputeDevice device = gpu ? gpuDevice(cfg, task.name()) : ComputeDevice.cpu();
        // What the outcome reports: the device, and with GPU scheduling the address Spark assigned.
        String where = gpu ? device + " (Spark GPU " + String.join(",", TaskGpus.assigned()) + ")" : device.toString();
        if (!device.cuda()) {
            TaskContext ctx = TaskContext.get();
            torch.set_num_threads(Math.max(1, ctx == null ? 1 : ctx.cpus()));
        }
        try (TrainDirectory dir = TrainDirectory.open(task.trainDir(), hadoop.get())) {
            boolean resume = Checkpoints.latest(dir.local()).isPresent();
            long resumedAt = resume ? Checkpoints.readState(Checkpoints.latest(dir.local()).get()).step() : 0;
            System.err.printf("train %s: %s on %s%s%n", task.name(), cfg.adapter().method().name().toLowerCase(),
                    where, resume ? ", resuming at step " + resumedAt : "");
            TrainingResult r = Trainer.run(cfg, new HadoopShardStore(cfg.data().shards(), hadoop), dir.local(), resume,
                    progress(task.name()), device);
            dir.publish(hadoop.get());
            String checkpoint = r.checkpoint() == null ? "" : dir.local().relativize(r.checkpoint()).toString();
            return new TrainOutcome(task.name(), where, resumedAt, r.stepsDone(), r.totalSteps(),
                    r.lastLoss(), r.badSteps(), checkpoint, (System.nanoTime() - start) / 1e9);
        } catch (UncheckedIOException e) {
            throw new IOException("train " + task.name() + ": " + e.getMessage(), e);
        }
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
    private static TrainingListener progress(String variant) {
        return new org.meftspark.train.ConsoleProgress(System.err, false, 10, "train " + variant + ": ");
    }
}
