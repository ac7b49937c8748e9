package org.meftspark.jobs;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;
import org.meftspark.jobs.train.Train;
import org.meftspark.jobs.train.TrainOutcome;
import org.meftspark.spark.Sessions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code meft train --config FILE}: trains every variant of the run on the preprocessed shards, as
 * a Spark stage (see {@link Train}); resumes each variant from its last checkpoint.
 *
 * <pre>bin/meft-submit --master spark://HOST:7077 --conf spark.executor.resource.gpu.amount=1 ... \
 *   --class org.meftspark.jobs.TrainJob -- --config run.yaml</pre>
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains the run's variants (run.sweep) on its shards, one Spark task per variant; GPU runs use "
                + "stage-level GPU scheduling, CPU runs are chosen with training.device: cpu.")
public final class TrainJob implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        String text = RunConfigLoader.readText(options.file());
        List<RunVariant> variants = RunConfigLoader.variants(text, options.file().toString(), options.overrides());
        RunConfig first = variants.get(0).config();
        try (SparkSession spark = Sessions.create("meft-train", first.spark().master(), first.spark().conf())) {
            List<TrainOutcome> outcomes = Train.run(spark, variants);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-20s %-22s %8s %10s %10s%n", "variant", "device", "steps", "last loss", "seconds");
            for (TrainOutcome o : outcomes) {
                out.printf("%-20s %-22s %8s %10.4f %10.1f%n", o.variant(), o.device(), o.stepsDone() + "/" + o.totalSteps(),
                        o.lastLoss(), o.seconds());
            }
            out.flush();
            return 0;
        }
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new TrainJob(), "train", args);
    }
}
