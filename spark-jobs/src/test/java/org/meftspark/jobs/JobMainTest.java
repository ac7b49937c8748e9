package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The spark-submit entry points exit as {@code bin/meft} does (issue 16 item 5): the policy of {@link ExitCodes}. */
class JobMainTest {

    private record Result(int code, String out, String err) {
    }

    private static Result submit(Object job, String... args) {
        CommandLine cl = new CommandLine(job);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(JobMain.execute(cl, args), out.toString(), err.toString());
    }

    /** Every class spark-submit starts, with a new command object each time. */
    private static final Map<String, Supplier<Object>> MAINS = Map.of(
            "preprocess", PreprocessJob::new, "train", TrainJob::new, "evaluate", EvaluateJob::new,
            "score", ScoreJob::new, "run", PipelineJob::new, "study", StudyJob::new,
            "ClusterCheckJob", ClusterCheckJob::new);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyJobMainExitsTwoOnABadConfigurationBeforeSparkStartsAndItsHelpListsTheCodes(@TempDir Path dir)
            throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "spark:\n  mastr: local[1]\n");
        String missing = dir.resolve("missing").toString();
        // A job that opened its session before checking its arguments would fail on this master with 1.
        // getOrCreate would hand back a session another test left open, and never read the master.
        org.meftspark.spark.TestSupport.stopAnySession();
        System.setProperty("spark.master", "no-spark-before-the-configuration-is-checked://");
        try {
            MAINS.forEach((name, job) -> {
                String[] args = switch (name) {
                    case "score" -> new String[] {"--predictions", missing, "--references", missing, "--out", missing,
                            "--max-reject-fraction", "1.5"};
                    case "ClusterCheckJob" -> new String[] {"--tasks", "0"};
                    default -> new String[] {"--config", bad.toString()};
                };
                Result r = submit(job.get(), args);
                assertThat(r.code()).as("%s: %s", name, r.err()).isEqualTo(2);
                assertThat(r.err()).as(name).isNotBlank().doesNotContain("no-spark-before");
                Result help = submit(job.get(), "--help");
                assertThat(help.code()).as(name).isZero();
                assertThat(help.out()).as(name).contains("Exit codes:").containsPattern("(?m)^ +2 +bad usage");
            });
        } finally {
            System.clearProperty("spark.master");
        }
        assertThat(submit(new TrainJob(), "--config", bad.toString()).err())
                .startsWith("train: invalid configuration: " + bad + ":2:3: spark.mastr: unknown key");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aJobThatFailsAtRunTimeExitsOneWithOneLine(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("run.yaml");
        Files.writeString(cfg, """
                run: {dir: "%1$s/runs"}
                data:
                  inputs: [{dataset: nq_open, path: "%1$s/no-such-input.jsonl"}]
                  shards: "%1$s/shards"
                model: {tokenizer: byte}
                spark: {master: "local[1]"}
                """.formatted(dir));
        Result r = submit(new PreprocessJob(), "--config", cfg.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        List<String> lines = r.err().lines().toList();
        assertThat(lines).singleElement().asString().startsWith("preprocess failed: ")
                .contains(dir.resolve("no-such-input.jsonl").toString());
        assertThat(dir.resolve("shards")).doesNotExist();
    }
}
