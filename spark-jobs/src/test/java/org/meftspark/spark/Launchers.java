package org.meftspark.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs the project's launchers (bin/) as a user would, from the project root. */
public final class Launchers {

    private Launchers() {
    }

    /** What a launcher printed: stdout's and stderr's lines. */
    public record Output(List<String> out, List<String> err) {
    }

    /**
     * Runs {@code command} with MEFT_SKIP_BUILD=1 (the build under test is already
     * compiled), asserts its exit code, and returns stdout's lines.
     */
    public static List<String> run(List<String> command, int expectedExit) throws IOException, InterruptedException {
        return run(command, expectedExit, Map.of("MEFT_HEAP", "1g"), Duration.ofSeconds(300), p -> { });
    }

    /**
     * As {@link #run(List, int)}, with more environment (e.g. MEFT_HEAP, MEFT_JAVA_OPTS), a time limit, and
     * {@code watch} called with the process right after it starts (the load tests poll its memory).
     */
    public static List<String> run(List<String> command, int expectedExit, Map<String, String> environment, Duration limit,
                                   Consumer<Process> watch) throws IOException, InterruptedException {
        return runCapturing(command, expectedExit, environment, limit, watch).out();
    }

    /** As {@link #run(List, int)}, returning stderr's lines too (where jobs print why they exit 1). */
    public static Output runCapturing(List<String> command, int expectedExit) throws IOException, InterruptedException {
        return runCapturing(command, expectedExit, Map.of("MEFT_HEAP", "1g"), Duration.ofSeconds(300), p -> { });
    }

    private static Output runCapturing(List<String> command, int expectedExit, Map<String, String> environment,
                                       Duration limit, Consumer<Process> watch) throws IOException, InterruptedException {
        Path root = LaunchEnvironment.current().root();
        Path log = Files.createTempFile("meft-launcher", ".log");
        Path err = Files.createTempFile("meft-launcher", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
                    .redirectOutput(log.toFile()).redirectError(err.toFile());
            pb.environment().put("MEFT_SKIP_BUILD", "1");
            pb.environment().putAll(environment);
            Process p = pb.start();
            watch.accept(p);
            if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + limit.toSeconds() + " s; stderr:\n"
                        + Files.readString(err));
            }
            List<String> out = Files.readAllLines(log, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("exit code of %s; stdout:%n%s%nstderr:%n%s", command, String.join("\n", out),
                    Files.readString(err)).isEqualTo(expectedExit);
            return new Output(out, Files.readAllLines(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(err);
        }
    }
}
