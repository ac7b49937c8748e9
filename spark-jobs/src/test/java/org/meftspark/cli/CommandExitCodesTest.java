package org.meftspark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.spark.LaunchEnvironment;
import picocli.CommandLine;

/**
 * Issue 16 item 5: one exit-code policy for every command of {@code bin/meft}: 0 success, 1 the job
 * failed, 2 bad usage or configuration; every help says so.
 */
class CommandExitCodesTest {

    private record Result(int code, String out, String err) {
    }

    private static Result meft(List<String> args) {
        CommandLine cl = Meft.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /** Every command of the tree, as the words that name it on the command line ("" for meft itself). */
    private static List<String> everyCommand() {
        List<String> names = new ArrayList<>();
        ArrayDeque<CommandLine> todo = new ArrayDeque<>(List.of(Meft.commandLine()));
        while (!todo.isEmpty()) {
            CommandLine c = todo.poll();
            names.add(c.getCommandSpec().qualifiedName(" ").replaceFirst("^meft ?", ""));
            todo.addAll(c.getSubcommands().values());
        }
        return names;
    }

    private static List<String> words(String command) {
        return command.isEmpty() ? List.of() : List.of(command.split(" "));
    }

    /**
     * For each command, arguments that are wrong in what the user wrote: a configuration with an unknown key
     * where the command reads one, else a file that is not there or an option value it cannot use.
     */
    private static Map<String, List<String>> badArguments(Path dir) throws Exception {
        Path badYaml = dir.resolve("bad.yaml");
        Files.writeString(badYaml, "training:\n  optimiser: adamw\n");
        String bad = badYaml.toString();
        // A run directory whose recorded configuration has the same unknown key, for generate --adapter.
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("variants/meft"));
        Files.writeString(run.resolve("config.yaml"), "training:\n  optimiser: adamw\n");
        Files.writeString(run.resolve("run.json"), "{\"overrides\": []}");
        String missing = dir.resolve("missing").toString();
        String tinyLlama = LaunchEnvironment.current().root().resolve("conf/models/tiny-llama.json").toString();
        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put("", List.of("--no-such-option"));
        cases.put("quickstart", List.of("--config", bad, "--data", dir.resolve("quickstart-data").toString()));
        cases.put("doctor", List.of("--no-such-option"));
        cases.put("config", List.of("--no-such-option"));
        cases.put("config check", List.of(bad));
        cases.put("config reference", List.of("--no-such-option"));
        for (String job : List.of("preprocess", "train", "evaluate", "run", "study", "pretrain")) {
            cases.put(job, List.of("--config", bad));
        }
        cases.put("score", List.of("--predictions", missing, "--references", missing, "--out", missing,
                "--format", "yaml"));
        cases.put("init-model", List.of("--config", missing + ".json", "--out", dir.resolve("model").toString()));
        cases.put("plan", List.of("--config", bad, "--model", tinyLlama));
        cases.put("generate", List.of("--adapter", run.resolve("variants/meft").toString(), "--prompt", "Hi"));
        cases.put("logits", List.of("--model", missing, "--tokens", "1,2", "--out", dir.resolve("x.npy").toString()));
        cases.put("make-facts", List.of("--facts", "0", "--out", dir.resolve("facts").toString()));
        cases.put("make-samples", List.of("--towns", "0", "--out", dir.resolve("samples").toString()));
        cases.put("benchmark", List.of("--no-such-option"));
        cases.put("benchmark model", List.of("--model", missing + ".json"));
        cases.put("benchmark score", List.of("--rows", "many"));
        cases.put("benchmark generate", List.of("--beams", "two"));
        cases.put("help", List.of("no-such-command"));
        return cases;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyCommandExitsTwoOnABadConfigurationOrUsageBeforeSparkStarts(@TempDir Path dir) throws Exception {
        Map<String, List<String>> cases = badArguments(dir);
        assertThat(new TreeSet<>(cases.keySet())).as("every command has a case")
                .isEqualTo(new TreeSet<>(everyCommand()));
        // A master no session can start with: a job that opened its session before checking its
        // configuration would fail there and exit 1, not 2.
        // getOrCreate would hand back a session another test left open, and never read the master.
        org.meftspark.spark.TestSupport.stopAnySession();
        String saved = System.getProperty("spark.master");
        System.setProperty("spark.master", "no-spark-before-the-configuration-is-checked://");
        try {
            cases.forEach((command, extra) -> {
                List<String> args = new ArrayList<>(words(command));
                args.addAll(extra);
                Result r = meft(args);
                assertThat(r.code()).as("meft %s%nstdout: %s%nstderr: %s", String.join(" ", args), r.out(), r.err())
                        .isEqualTo(2);
                assertThat(r.err()).as("meft %s says why", String.join(" ", args)).isNotBlank()
                        .doesNotContain("\tat org.meftspark").doesNotContain("no-spark-before");
            });
        } finally {
            if (saved == null) {
                System.clearProperty("spark.master");
            } else {
                System.setProperty("spark.master", saved);
            }
        }
        assertThat(dir.resolve("quickstart-data")).as("quickstart checks its configuration first").doesNotExist();
        assertThat(meft(List.of("preprocess", "--config", dir.resolve("bad.yaml").toString())).err())
                .startsWith("meft preprocess: invalid configuration: " + dir.resolve("bad.yaml") + ":2:3: "
                        + "training.optimiser: unknown key");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyHelpListsTheExitCodes() {
        for (String command : everyCommand()) {
            List<String> args = new ArrayList<>(words(command));
            args.add("--help");
            Result r = meft(args);
            assertThat(r.code()).as("meft %s --help", command).isZero();
            assertThat(r.out()).as("meft %s --help", command).contains("Exit codes:")
                    .containsPattern("(?m)^ +0 +success$")
                    .containsPattern("(?m)^ +1 +the job failed while running")
                    .containsPattern("(?m)^ +2 +bad usage or configuration");
        }
    }

    /** A valid configuration whose shards are not there: the job starts, fails at run time, and exits 1. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aJobThatFailsAtRunTimeExitsOne(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("run.yaml");
        Files.writeString(cfg, """
                run: {dir: "%1$s/runs"}
                data: {shards: "%1$s/no-shards-here"}
                model: {tokenizer: byte}
                spark: {master: "local[1]"}
                """.formatted(dir));
        Result r = meft(List.of("evaluate", "--config", cfg.toString(), "--out", dir.resolve("eval").toString()));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("meft evaluate failed: data.shards " + dir.resolve("no-shards-here")
                + ": no manifest.json").doesNotContain("\tat org.meftspark");
        assertThat(dir.resolve("eval")).doesNotExist();
    }
}
