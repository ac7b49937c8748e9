package org.meftspark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.meftspark.spark.LaunchEnvironment;
import picocli.CommandLine;

/**
 * The README's main command ({@code meft quickstart}) with a reduced step count, in a temporary
 * directory. One run is shared by the tests of a JVM that read its outputs (the quickstart test and
 * the notebooks), so CI pays for it once.
 */
public final class QuickstartRuns {
    private static Shared shared;

    /**
     * @param dir    the temporary directory: data/, shards/, runs/
     * @param output what the first run printed
     */
    public record Shared(Path dir, String output) {
        /** The run directory (run.dir/run.name). */
        public Path runDir() {
            return dir.resolve("runs/quickstart");
        }
    }

    private QuickstartRuns() {
    }

    /** The shared run, made on first use and deleted when the JVM exits. */
    public static synchronized Shared shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("meft-quickstart-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
                shared = new Shared(dir, run(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /**
     * Runs the quickstart in {@code dir} with the README's settings (the full 400 MEFT steps, about 6 minutes:
     * the held-out EM the quickstart test checks is the documented one); asserts exit 0; returns its stdout.
     */
    static String run(Path dir) {
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
                "--set", "data.templates=" + LaunchEnvironment.current().root().resolve("conf/templates"));
        assertThat(code).as(out.toString()).isZero();
        return out.toString();
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit: a leftover temp folder is not worth failing a build for
        }
    }
}
