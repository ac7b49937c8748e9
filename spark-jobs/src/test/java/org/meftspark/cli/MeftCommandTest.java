package org.meftspark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.spark.Launchers;
import picocli.CommandLine;

class MeftCommandTest {

    private record Result(int code, String out, String err) {
    }

    private static Result meft(String... args) {
        CommandLine cl = Meft.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheSubcommands() {
        Result r = meft("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("doctor").contains("config").contains("evaluate").contains("score");
    }

    @Test
    void anUnknownCommandExitsTwoWithTheNearestOne() {
        for (String[] args : List.of(new String[] {"pretrian", "--help"}, new String[] {"pretrian"},
                new String[] {"evalaute", "--config", "x.yaml"})) {
            Result r = meft(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).contains("unknown command '" + args[0] + "'").contains("did you mean '"
                    + (args[0].startsWith("p") ? "pretrain" : "evaluate") + "'");
            assertThat(r.out()).doesNotContain("Usage:");
        }
        assertThat(meft("zzz").err()).contains("unknown command 'zzz'").doesNotContain("did you mean");
        assertThat(meft("pretrain", "--help").code()).isZero();
    }

    @Test
    void everyHelpTextRendersWithoutAPicocliWarning() {
        // picocli formats descriptions with String.format: a bare '%' prints a warning (on System.err)
        // and unformatted text instead of the help.
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(List.of(Meft.commandLine()));
        try {
            System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
            while (!todo.isEmpty()) {
                CommandLine c = todo.poll();
                todo.addAll(c.getSubcommands().values());
                assertThat(c.getUsageMessage()).isNotBlank();
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    }

    @Test
    void pretrainRefusesAnAdapterMethodOtherThanFullAndAMissingArchitecture(@TempDir Path dir) {
        String recipe = org.meftspark.spark.LaunchEnvironment.current().root().resolve("conf/pretrain/world-base.yaml").toString();
        Result lora = meft("pretrain", "--config", recipe, "--set", "adapter.method=lora", "--set", "run.dir=" + dir);
        assertThat(lora.code()).isEqualTo(2);
        assertThat(lora.err()).contains("set adapter.method: full");
        Result missing = meft("pretrain", "--config", recipe, "--set", "pretrain.architecture=" + dir.resolve("nope.json"),
                "--set", "run.dir=" + dir);
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.json");
        assertThat(dir.resolve("world-base/train")).doesNotExist();
    }

    @Test
    void missingOrUnknownSubcommandFails() {
        assertThat(meft().code()).isNotZero();
        Result r = meft("trian");
        assertThat(r.code()).isNotZero();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown command 'trian'").contains("did you mean 'train'");
    }

    @Test
    void doctorPassesOnThisMachineAndPrintsEveryCheck(@TempDir Path work) {
        Result r = meft("doctor", "--no-spark", "--work-dir", work.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("[ok]   java").containsPattern("\\[(ok|warn)\\] +libtorch +2\\.10")
                .containsPattern("\\[ok\\] +matmul +[0-9.]+ GFLOP/s").contains("cuda").contains("[ok]   tokenizer")
                .contains("[ok]   disk").endsWith("ready for CPU runs\n");
    }

    @Test
    void configCheckReportsEveryProblemWithItsLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "training:\n  epochs: 0\n  optimiser: adamw\n");
        Result r = meft("config", "check", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(bad + ":2:11: training.epochs: expected an integer in [1, 10000], got 0")
                .contains(bad + ":3:3: training.optimiser: unknown key");
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "adapter:\n  method: lora\n");
        Result ok = meft("config", "check", good.toString(), "--set", "training.epochs=2");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("valid (lora");
    }

    /** The README's main command as a fresh shell runs it: bin/meft doctor, exit 0, one line per check. */
    @Test
    @Tag("integration")
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void binMeftDoctorExitsZeroHere() throws Exception {
        List<String> out = Launchers.run(List.of("bin/meft", "doctor"), 0);
        assertThat(out).anyMatch(l -> l.startsWith("[ok]   spark")).last().isEqualTo("ready for CPU runs");
    }
}
