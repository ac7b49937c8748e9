package org.meftspark.jobs;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.meftspark.device.TorchRuntime;
import org.meftspark.spark.GpuScheduling;
import org.meftspark.spark.TaskGpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Is this cluster ready for meft-spark? Runs one task per slot on the executors;
 * each loads libtorch and reports its host, Java and libtorch versions, CUDA
 * devices and the GPU addresses Spark assigned. With {@code --gpus N} the tasks
 * run as a barrier stage with a task ResourceProfile of N GPUs, exactly as the
 * training stage will.
 *
 * <pre>bin/meft-submit --master spark://127.0.0.1:7077 --class org.meftspark.jobs.ClusterCheckJob -- --gpus 1</pre>
 */
@Command(name = "ClusterCheckJob", mixinStandardHelpOptions = true,
        description = "Reports what each executor task sees: host, Java, libtorch, CUDA, assigned GPUs.")
public final class ClusterCheckJob extends SparkJobCommand {

    @Option(names = "--tasks", defaultValue = "1", description = "Tasks to run (default ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--gpus", defaultValue = "0",
            description = "GPUs per task; > 0 runs a barrier stage with a GPU ResourceProfile (default ${DEFAULT-VALUE}).")
    int gpus;

    /** What one task saw; one line of the report. */
    public record TaskReport(int partition, String host, String executor, String java, String libtorch,
                             int cudaDevices, List<String> gpus) implements java.io.Serializable {
        @Override
        public String toString() {
            return String.format("task %d  host %s  executor %s  java %s  libtorch %s  cuda devices %d  gpus %s",
                    partition, host, executor, java, libtorch, cudaDevices, gpus);
        }
    }

    /** Runs the check with {@code spark}; the reports in partition order. */
    public static List<TaskReport> check(SparkSession spark, int tasks, int gpus) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Integer> slots = jsc.parallelize(IntStream.range(0, tasks).boxed().toList(), tasks);
        FlatMapFunction<Iterator<Integer>, TaskReport> probe = ignored -> List.of(report(gpus > 0)).iterator();
        JavaRDD<TaskReport> reports = gpus > 0 ? GpuScheduling.onGpus(slots, gpus, probe) : slots.mapPartitions(probe);
        List<TaskReport> out = new ArrayList<>(reports.collect());
        out.sort(java.util.Comparator.comparingInt(TaskReport::partition));
        return out;
    }

    private static TaskReport report(boolean withGpus) throws Exception {
        TaskContext ctx = TaskContext.get();
        return new TaskReport(ctx.partitionId(), InetAddress.getLocalHost().getHostName(),
                SparkEnv.get().executorId(), Runtime.version().toString(), TorchRuntime.libtorchVersion(),
                TorchRuntime.cudaDevices(), withGpus ? TaskGpus.assigned() : List.of());
    }

    @Override
    protected SessionSettings prepare() {
        if (tasks < 1 || gpus < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--tasks must be at least 1 and --gpus "
                    + "at least 0; got " + tasks + " and " + gpus);
        }
        return new SessionSettings("meft-cluster-check", "local[*]", Map.of());
    }

    @Override
    protected int run(SparkSession spark) {
        List<TaskReport> reports = check(spark, tasks, gpus);
        reports.forEach(out()::println);
        out().println("cluster check passed: " + reports.size() + " task(s) on " + spark.sparkContext().master());
        out().flush();
        return ExitCodes.OK;
    }

    public static void main(String[] args) {
        JobMain.run(new ClusterCheckJob(), args);
    }
}
