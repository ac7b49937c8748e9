package org.meftspark.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.meftspark.doctor.Check;
import org.meftspark.doctor.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code meft doctor}: is this machine ready for a CPU run (and a GPU run)? */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Checks Java, JVM flags, libtorch (and measures matmul GFLOP/s for about a second), CUDA, "
                + "the tokenizer native library, a local SparkSession and disk space.",
                "Exits 1 when something a CPU run needs does not work, with one line per problem."})
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--work-dir", defaultValue = "work", description = "Work directory whose disk is checked "
            + "(default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--no-spark", description = "Skip starting a local SparkSession.")
    boolean noSpark;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Check> checks = Doctor.run(workDir, !noSpark);
        for (Check c : checks) {
            out.printf("%-6s %-12s %s%n", "[" + c.status().name().toLowerCase(Locale.ROOT) + "]", c.name(), c.detail());
        }
        List<Check> problems = checks.stream()
                .filter(c -> c.status() == Check.Status.FAIL || c.status() == Check.Status.WARN).toList();
        for (Check c : problems) {
            out.printf("%s: %s: %s: %s%n", c.status() == Check.Status.FAIL ? "problem" : "warning", c.name(),
                    c.detail(), c.advice());
        }
        int code = Doctor.exitCode(checks);
        out.println(code == 0 ? "ready for CPU runs" : "not ready: fix the problems above");
        out.flush();
        return code;
    }
}
