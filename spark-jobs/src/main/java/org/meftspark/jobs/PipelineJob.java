package org.meftspark.jobs;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.meftspark.jobs.pipeline.Pipeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

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
public final class PipelineJob implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        Pipeline.Result r = options.inSession("meft-run", (spark, text) ->
                Pipeline.run(spark, text, options.file().toString(), options.overrides(), System.err));
        PrintWriter out = spec.commandLine().getOut();
        out.print(r.table());
        out.println("report: " + r.report());
        out.flush();
        return 0;
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new PipelineJob(), "run", args);
    }
}
