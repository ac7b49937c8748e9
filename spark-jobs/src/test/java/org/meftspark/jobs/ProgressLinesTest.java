package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.Manifest;
import org.meftspark.spark.TestSupport;
import picocli.CommandLine;

/**
 * Preprocess and evaluate show rows done of the total and the ETA the way training shows its steps
 * (issue 16 item 6): at least the line of the finished work, with the total, on the command's error stream.
 */
@Tag("integration")
class ProgressLinesTest {

    private static final Pattern ROWS = Pattern.compile("(?m)^(\\w+): rows (\\d+)/(\\d+) rows/s \\d+ eta (\\S+)$");

    private static String[] submit(Object job, String... args) {
        CommandLine cl = new CommandLine(job);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = JobMain.execute(cl, args);
        assertThat(code).as("stdout:%n%s%nstderr:%n%s", out, err).isZero();
        return new String[] {out.toString(), err.toString()};
    }

    /** The last rows line of {@code job} in {@code err}: job, done, total, eta. */
    private static List<String> lastRowsLine(String err, String job) {
        List<String> last = null;
        Matcher m = ROWS.matcher(err);
        while (m.find()) {
            if (m.group(1).equals(job)) {
                last = List.of(m.group(1), m.group(2), m.group(3), m.group(4));
            }
        }
        assertThat(last).as("a '%s: rows N/TOTAL' line in:%n%s", job, err).isNotNull();
        return last;
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void preprocessAndEvaluatePrintRowsDoneOfTheTotalWithTheEta(@TempDir Path dir) throws Exception {
        TestSupport.stopAnySession();
        Path in = dir.resolve("in");
        PreprocessFixtures.writeFileInputs(in);
        Path shards = dir.resolve("shards");
        Path cfg = dir.resolve("run.yaml");
        Files.writeString(cfg, """
                run: {dir: "%1$s/runs"}
                data:
                  inputs:
                    - {dataset: nq_open, path: "%1$s/in/nq.jsonl"}
                    - {dataset: gsm8k, path: "%1$s/in/gsm8k-train.jsonl", split: train}
                    - {dataset: gsm8k, path: "%1$s/in/gsm8k-test.jsonl", split: test}
                  shards: "%2$s"
                  max_length: 512
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                evaluation: {max_new_tokens: 2, batch_size: 4, bootstrap_samples: 0}
                spark: {master: "local[2]", partitions: 2}
                """.formatted(dir, shards));

        String preprocessErr = submit(new PreprocessJob(), "--config", cfg.toString(), "--allow-rejects")[1];
        // Every record read is counted, rejects included: 10 nq_open lines, 4 + 3 gsm8k.
        assertThat(lastRowsLine(preprocessErr, "preprocess")).containsExactly("preprocess", "17", "17", "0m00s");
        Manifest m = Manifest.readFrom(new LocalShardStore(shards));
        assertThat(m.totalRows() + m.rejected().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(17);

        String evaluateErr = submit(new EvaluateJob(), "--config", cfg.toString(), "--out",
                dir.resolve("eval").toString())[1];
        long evaluated = m.countsBySplit().entrySet().stream().filter(e -> !e.getKey().equals("train"))
                .mapToLong(java.util.Map.Entry::getValue).sum();
        assertThat(evaluated).isPositive();
        assertThat(lastRowsLine(evaluateErr, "evaluate"))
                .containsExactly("evaluate", String.valueOf(evaluated), String.valueOf(evaluated), "0m00s");
    }
}
