package org.meftspark.jobs;

import org.apache.spark.sql.SparkSession;
import org.meftspark.jobs.study.Study;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code meft study --config conf/study.yaml}: the knowledge-intensive study of issue 8 (see
 * {@link Study} and docs/results.md).
 */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Runs the knowledge-intensive study: for each study.facts count, generates a fact world, sizes "
                + "every study.methods entry to study.device_budget_mb, runs the pipeline with one variant per method "
                + "and writes results.jsonl and results.md.", "Running it again continues where it stopped."})
public final class StudyJob extends SparkJobCommand {

    @Mixin
    ConfigOptions options;

    private ConfigOptions.Loaded loaded;

    @Override
    protected SessionSettings prepare() {
        loaded = options.load();
        return SessionSettings.of("study", loaded.config());
    }

    @Override
    protected int run(SparkSession spark) throws Exception {
        Study.Result r = Study.run(spark, loaded.text(), loaded.source(), loaded.overrides(), System.err);
        out().print(r.table());
        out().println("results: " + r.root().resolve("results.jsonl"));
        out().flush();
        return ExitCodes.OK;
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new StudyJob(), args);
    }
}
