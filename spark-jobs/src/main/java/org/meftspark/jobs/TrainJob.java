package org.meftspark.jobs;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunVariant;
import org.meftspark.jobs.train.Train;
import org.meftspark.jobs.train.TrainOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
public final class TrainJob extends SparkJobCommand {

    @Mixin
    ConfigOptions options;

    private ConfigOptions.Loaded loaded;
    private List<RunVariant> variants;

    @Override
    protected SessionSettings prepare() {
        loaded = options.load();
        // Every variant of the sweep is checked here, before Spark starts; the session is the first one's.
        variants = loaded.variants();
        return SessionSettings.of("train", variants.get(0).config());
    }

    @Override
    protected int run(SparkSession spark) {
        List<TrainOutcome> outcomes = Train.run(spark, variants);
        out().printf("%-20s %-22s %8s %10s %10s%n", "variant", "device", "steps", "last loss", "seconds");
        for (TrainOutcome o : outcomes) {
            out().printf("%-20s %-22s %8s %10.4f %10.1f%n", o.variant(), o.device(), o.stepsDone() + "/" + o.totalSteps(),
                    o.lastLoss(), o.seconds());
        }
        out().flush();
        return ExitCodes.OK;
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new TrainJob(), args);
    }
}
