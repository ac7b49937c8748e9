package org.meftspark.notebook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.cli.QuickstartRuns;
import org.meftspark.spark.LaunchEnvironment;

/**
 * Every notebook in notebooks/ executes headless, through bin/meft-notebook as a user runs it, on the
 * quickstart's run directory (the run the quickstart test makes, with 6 training steps): no cell fails,
 * every code cell ran, and every figure is a real chart. A new notebook is tested by being there.
 *
 * <p>Without Jupyter the test is skipped with a message, except under CI (the environment variable
 * {@code CI} set), where it fails: CI must run the notebooks.
 */
@Tag("integration")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class NotebooksTest {
    /**
     * A notebook takes 10-40 s here; the limit only stops a hung kernel: up to 5 kernel starts of 30 s
     * each (see bin/meft-notebook) plus the cells on a loaded machine.
     */
    private static final Duration LIMIT = Duration.ofMinutes(5);

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> everyNotebookExecutesOnTheQuickstartRunAndDrawsItsFigures() {
        String missing = jupyterMissing();
        if (missing != null) {
            return Stream.of(DynamicTest.dynamicTest("notebooks", () -> skipOrFail(missing)));
        }
        Path runDir = QuickstartRuns.shared().runDir();
        List<Path> notebooks = NotebookFiles.all();
        assertThat(notebooks).isNotEmpty();
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> execute(nb, runDir)));
    }

    private static void execute(Path notebook, Path runDir) throws Exception {
        String name = notebook.getFileName().toString();
        Path out = tmp.resolve("executed");
        Path kernel = tmp.resolve("kernel");
        Path log = tmp.resolve(name + ".log");
        Path root = LaunchEnvironment.current().root();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/meft-notebook").toString(), "--out", out.toString(),
                notebook.toString()).directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(NotebookInputs.RUN_DIR_VARIABLE, runDir.toString());
        pb.environment().put("MEFT_NOTEBOOK_KERNEL_DIR", kernel.toString());
        pb.environment().put("MEFT_SKIP_BUILD", "1"); // the build under test is compiled already
        pb.environment().put("MEFT_HEAP", "1g");
        // Jupyter's own files (connection files, runtime state) stay out of the home folder too.
        pb.environment().put("JUPYTER_DATA_DIR", tmp.resolve("jupyter-data").toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(name + " did not finish in " + LIMIT + diagnostics(log, kernel));
        }
        // Surefire keeps these in target/surefire-reports/*-output.txt: the time per notebook, and the
        // script's own lines (its timing, any kernel start it had to retry).
        System.out.printf(Locale.ROOT, "notebook %s: %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
        Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("meft-notebook:"))
                .forEach(System.out::println);

        assertThat(p.exitValue()).as("bin/meft-notebook exit code for %s%s", name, diagnostics(log, kernel)).isZero();
        ExecutedNotebook executed = ExecutedNotebook.read(out.resolve(name));
        assertThat(executed.errors()).as("errors in %s%s", name, diagnostics(log, kernel)).isEmpty();
        assertThat(executed.unexecutedCodeCells()).as("code cells of %s that never ran", name).isEmpty();
        List<ExecutedNotebook.Figure> figures = executed.figures();
        assertThat(figures).as("%s draws no figure", name).isNotEmpty();
        assertThat(figures.stream().map(ExecutedNotebook::problem).filter(Objects::nonNull).toList())
                .as("figures of %s that are not charts", name).isEmpty();
        assertThat(out.resolve(name.replace(".ipynb", ".html"))).isNotEmptyFile();
    }

    /** The script's output (with nbconvert's report of the failing cell) and the kernel's Spark log. */
    private static String diagnostics(Path log, Path kernel) throws IOException {
        return "\n--- bin/meft-notebook output:\n" + tail(log, 120) + "\n--- " + kernel.resolve("kernel.log") + ":\n"
                + tail(kernel.resolve("kernel.log"), 40);
    }

    private static String tail(Path file, int lines) throws IOException {
        if (!Files.exists(file)) {
            return "(none)";
        }
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * Skips without Jupyter, with what to install; fails instead under CI. Inside a dynamic test, so that
     * Surefire reports the skip and its message (an aborted factory is reported as nothing at all).
     */
    private static void skipOrFail(String missing) {
        String install = "apt-get install jupyter-nbconvert python3-ipykernel python3-nbclient";
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank()) {
            fail("CI is set, so the notebooks must run, but " + missing + "; .ci/run installs it (" + install + ")");
        }
        Assumptions.abort("notebooks not executed: " + missing + " (" + install + ")");
    }

    /** Null when {@code jupyter nbconvert} runs, else why not. */
    private static String jupyterMissing() {
        try {
            Process p = new ProcessBuilder("jupyter", "nbconvert", "--version").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "'jupyter nbconvert --version' did not answer in 60 s";
            }
            return p.exitValue() == 0 ? null : "'jupyter nbconvert --version' failed: " + output;
        } catch (IOException e) {
            return "jupyter is not installed (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
