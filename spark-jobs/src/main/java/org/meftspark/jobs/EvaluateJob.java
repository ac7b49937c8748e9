package org.meftspark.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfig;
import org.meftspark.jobs.evaluate.Evaluate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The evaluation job (issue 6): generates answers for the evaluation shards and scores them. The work
 * is in {@link Evaluate}; this class is the command line of both launchers:
 *
 * <pre>
 * bin/meft evaluate --config run.yaml [--adapter DIR] [--out DIR] [--train-metrics FILE]
 * bin/meft-submit --master local[4] --class org.meftspark.jobs.EvaluateJob -- --config run.yaml
 * </pre>
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Generates answers for the evaluation splits of the shards at data.shards with model.path "
                + "(and an adapter), scores them, and writes predictions/ (Parquet, one row per example with every "
                + "metric), metrics.json (means with bootstrap 95%% intervals) and report.html to --out.",
                "A failed run leaves nothing at --out."})
public final class EvaluateJob extends SparkJobCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "Adapter checkpoint folder trained with adapter.method (default: the base model alone).")
    String adapter;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory, any Hadoop path (default: run.dir/run.name/evaluation).")
    String out;

    @Option(names = "--overwrite", description = "Replace an existing result at --out.")
    boolean overwrite;

    @Option(names = "--split", paramLabel = "NAME",
            description = "Split to evaluate (repeatable; default: every split but train).")
    List<String> splits = new ArrayList<>();

    @Option(names = "--train-metrics", paramLabel = "FILE",
            description = "Trainer metrics file (JSON lines with step and loss) to draw as a loss curve (repeatable).")
    List<Path> trainMetrics = new ArrayList<>();

    @Option(names = "--method", paramLabel = "NAME",
            description = "Label of this run in metrics.json and the report (default: adapter.method, or base).")
    String method;

    private RunConfig cfg;

    @Override
    protected SessionSettings prepare() {
        cfg = options.load().config();
        return SessionSettings.of("evaluate", cfg);
    }

    @Override
    protected int run(SparkSession spark) throws Exception {
        Evaluate.Options o = new Evaluate.Options(adapter, out, overwrite, splits, trainMetrics, method);
        Evaluate.Result r = Evaluate.run(spark, cfg, o, err());
        out().print(r.table());
        out().flush();
        return ExitCodes.OK;
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new EvaluateJob(), args);
    }
}
