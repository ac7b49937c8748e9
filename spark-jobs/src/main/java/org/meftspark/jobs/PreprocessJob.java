package org.meftspark.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfig;
import org.meftspark.jobs.input.RejectPolicy;
import org.meftspark.jobs.preprocess.Preprocess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The preprocessing job (issue 3): reads the configured datasets, deduplicates, splits,
 * checks for contamination, tokenizes and writes Arrow shards with their manifest. The work is
 * in {@link Preprocess}; this class is the command line of both launchers:
 *
 * <pre>
 * bin/meft preprocess --config run.yaml [--set data.overwrite=true]
 * bin/meft-submit --master local[4] --class org.meftspark.jobs.PreprocessJob -- --config run.yaml
 * </pre>
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = {"Reads the datasets of data.inputs, deduplicates them by id, splits train/dev by hashing the id "
                + "(unless an input names its split), checks training questions against evaluation questions for "
                + "near-duplicates, tokenizes, and writes Arrow shards, manifest.json and _rejects/ to data.shards.",
                "A failed run leaves nothing at data.shards. It also exits 1 when it yields no usable row or rejects "
                        + "more than data.max_reject_fraction of a dataset's records: then the shards and _rejects/ "
                        + "are written and the reasons printed; --allow-rejects accepts it."})
public final class PreprocessJob extends SparkJobCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--allow-rejects",
            description = "Exit 0 even when more than data.max_reject_fraction of a dataset's records, or all of them, "
                    + "were rejected.")
    boolean allowRejects;

    private RunConfig cfg;

    @Override
    protected SessionSettings prepare() {
        cfg = options.load().config();
        Map<String, String> conf = new LinkedHashMap<>(cfg.spark().conf());
        if (cfg.spark().partitions() > 0) {
            // The contamination check's SQL shuffles otherwise use Spark's 200 partitions: on the
            // ../shared datasets that made the check 1.8x slower in local[2].
            conf.putIfAbsent("spark.sql.shuffle.partitions", String.valueOf(cfg.spark().partitions()));
        }
        SessionSettings fromConfig = SessionSettings.of("preprocess", cfg);
        return new SessionSettings(fromConfig.appName(), fromConfig.master(), conf);
    }

    @Override
    protected int run(SparkSession spark) throws Exception {
        Preprocess.Result r = Preprocess.run(spark, cfg, err());
        out().print(r.table());
        out().flush();
        return RejectPolicy.exitCode(r.problems(), allowRejects, err(), "preprocess");
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new PreprocessJob(), args);
    }
}
