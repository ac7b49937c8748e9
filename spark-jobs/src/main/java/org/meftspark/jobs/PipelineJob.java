package org.meftspark.jobs;

import org.apache.spark.sql.SparkSession;
import org.meftspark.jobs.pipeline.Pipeline;
import org.meftspark.jobs.pipeline.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code meft run --config FILE}: preprocess -> train -> evaluate -> report from one
 * configuration, skipping stages whose output is complete and valid (see {@link Pipeline}).
 *
 * <pre>bin/meft-submit --master spark://HOST:7077 ... --class org.meftspark.jobs.PipelineJob -- --config run.yaml</pre>
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline from one configuration: preprocess, train every variant (run.sweep), "
                + "evaluate, report.", "Stages whose outputs are complete and verify are skipped, so running it again "
                + "after a failure continues where it stopped; training resumes from its last checkpoint."})
public final class PipelineJob extends SparkJobCommand {

    @Mixin
    ConfigOptions options;

    private RunRequest request;

    @Override
    protected SessionSettings prepare() {
        ConfigOptions.Loaded loaded = options.load();
        // Every run.sweep variant is built and checked here, before Spark starts, and handed to the pipeline as values.
        request = new RunRequest(loaded.text(), loaded.source(), loaded.overrides(), loaded.variants());
        return SessionSettings.of("run", loaded.config());
    }

    @Override
    protected int run(SparkSession spark) throws Exception {
        Pipeline.Result r = Pipeline.run(spark, request, System.err);
        out().print(r.table());
        out().println("report: " + r.report());
        out().flush();
        return ExitCodes.OK;
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new PipelineJob(), args);
    }
}
