package org.meftspark.jobs;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.meftspark.jobs.study.Study;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code meft study --config conf/study.yaml}: the knowledge-intensive study of issue 8 (see
 * {@link Study} and docs/results.md).
 */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Runs the knowledge-intensive study: for each study.facts count, generates a fact world, sizes "
                + "every study.methods entry to study.device_budget_mb, runs the pipeline with one variant per method "
                + "and writes results.jsonl and results.md.", "Running it again continues where it stopped."})
public final class StudyJob implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        Study.Result r = options.inSession("meft-study", (spark, text) ->
                Study.run(spark, text, options.file().toString(), options.overrides(), System.err));
        PrintWriter out = spec.commandLine().getOut();
        out.print(r.table());
        out.println("results: " + r.root().resolve("results.jsonl"));
        out.flush();
        return 0;
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new StudyJob(), "study", args);
    }
}
