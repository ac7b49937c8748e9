package org.meftspark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.spark.LaunchEnvironment;
import picocli.CommandLine;

/** The README's main command with a reduced step count, in a temporary directory; then again, reusing stages. */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class QuickstartTest {

    private static String quickstart(Path dir) {
        Path data = dir.resolve("data");
        String d = data.toString();
        String inputs = "data.inputs=["
                + "{dataset: nq_open, path: '" + d + "/nq_open/NQ-open.train.jsonl', split: train},"
                + "{dataset: nq_open, path: '" + d + "/nq_open/NQ-open.dev.jsonl', split: dev},"
                + "{dataset: squad, path: '" + d + "/squad/train-v1.1.json', split: train},"
                + "{dataset: squad, path: '" + d + "/squad/dev-v1.1.json', split: dev},"
                + "{dataset: toolbench, path: '" + d + "/toolbench/G1_query.json', split: train},"
                + "{dataset: toolbench, path: '" + d + "/toolbench/G1_query_dev.json', split: dev},"
                + "{dataset: gsm8k, path: '" + d + "/gsm8k/train.jsonl', split: train},"
                + "{dataset: gsm8k, path: '" + d + "/gsm8k/test.jsonl', split: test}]";
        CommandLine cl = Meft.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute("quickstart", "--config",
                LaunchEnvironment.current().root().resolve("conf/quickstart.yaml").toString(), "--data", d,
                "--set", inputs, "--set", "run.dir=" + dir.resolve("runs"), "--set", "data.shards=" + dir.resolve("shards"),
                "--set", "data.templates=" + LaunchEnvironment.current().root().resolve("conf/templates"),
                "--set", "training.max_steps=6", "--set", "evaluation.max_examples=2");
        assertThat(code).as(out.toString()).isZero();
        return out.toString();
    }

    @Test
    void quickstartRunsTheWholePipelineAndASecondRunReusesIt(@TempDir Path dir) {
        String first = quickstart(dir);
        for (String dataset : new String[] {"nq_open", "squad", "toolbench", "gsm8k"}) {
            assertThat(first).containsPattern("meft +" + dataset + " ");
        }
        assertThat(first).contains("report: ");
        Path report = dir.resolve("runs/quickstart/report.html");
        assertThat(report).isNotEmptyFile();
        assertThat(dir.resolve("data/toolbench/G1_query.json")).exists();

        String second = quickstart(dir);
        assertThat(second).contains("reused: preprocess, train/meft, evaluate/meft");
    }
}
