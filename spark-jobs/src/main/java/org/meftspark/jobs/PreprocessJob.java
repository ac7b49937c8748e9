package org.meftspark.jobs;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.ConfigException;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.spark.Sessions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

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
                "Exit code 0 on success; 2 for a configuration problem; 1 when the job failed (nothing is left "
                        + "at data.shards), or when it yields no usable row or rejects more than "
                        + "data.max_reject_fraction of a dataset's records (then the shards and _rejects/ are written "
                        + "and the reasons printed; --allow-rejects accepts it)."})
public final class PreprocessJob implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOptions options;

    @picocli.CommandLine.Option(names = "--allow-rejects",
            description = "Exit 0 even when more than data.max_reject_fraction of a dataset's records, or all of them, "
                    + "were rejected.")
    boolean allowRejects;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunConfig cfg;
        try {
            cfg = RunConfigLoader.load(options.file(), options.overrides());
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            return 2;
        }
        Map<String, String> conf = new LinkedHashMap<>(cfg.spark().conf());
        if (cfg.spark().partitions() > 0) {
            // The contamination check's SQL shuffles otherwise use Spark's 200 partitions: on the
            // ../shared datasets that made the check 1.8x slower in local[2].
            conf.putIfAbsent("spark.sql.shuffle.partitions", String.valueOf(cfg.spark().partitions()));
        }
        try (SparkSession spark = Sessions.create("meft-preprocess", cfg.spark().master(), conf)) {
            Preprocess.Result r = Preprocess.run(spark, cfg);
            out.print(r.table());
            out.flush();
            return org.meftspark.jobs.input.RejectPolicy.exitCode(r.problems(), allowRejects, err, "preprocess");
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new PreprocessJob(), "preprocess", args);
    }
}
