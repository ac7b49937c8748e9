package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.safetensors.SafetensorsFile;

/**
 * Issue 9 item 6 beyond the checkpoint write: the run directory fills up while training appends
 * its per-step metrics line, and while it writes the LoRA PEFT export at the end, on a real small
 * disk ({@link TinyDisk}) that {@link RunDirFullChild} fills with a filler file at a chosen step.
 * Each run must stop with an error that names the file and says what to do, leave its latest
 * checkpoint intact and loadable, leave no half metrics line and no half export, and, once the
 * filler is deleted, resume to final weights and an export byte-identical to an uninterrupted run's.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunDirectoryFullTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Holds both runs and their checkpoints with room to spare; the filler takes the rest. */
    static final int DISK_KIB = 2048;

    @TempDir
    Path tmp;

    @Test
    void aFullDiskDuringMetricsOrTheExportStopsClearlyAndResumesToIdenticalWeights() throws Exception {
        TinyDisk.assumeAvailable();
        Path mount = tmp.resolve("disk");
        Path copy = tmp.resolve("copy");
        Path reference = tmp.resolve("reference");
        Path snapshots = tmp.resolve("snapshots");
        Path log = tmp.resolve("child.log");
        int rc = TinyDisk.run(mount, DISK_KIB, copy, log, CrashResumeTest.childJvm("512m", RunDirFullChild.class,
                reference.toString(), mount.toString(), snapshots.toString()));
        String out = Files.readString(log);
        System.out.println(out); // the messages, for docs/reliability.md
        assertThat(rc).as(out).isZero();
        assertThat(out).contains("reference: done");

        // Metrics: the disk filled after step 17; a later metrics line is refused, naming the file and what to do.
        Path metricsRun = mount.resolve("metrics");
        String failed = line(out, "metrics: failed: ");
        Matcher at = Pattern.compile("metrics.jsonl: cannot write the metrics of step (\\d+): No space left on device")
                .matcher(failed);
        assertThat(at.find()).as(failed).isTrue();
        int failedStep = Integer.parseInt(at.group(1));
        assertThat(failedStep).isBetween(RunDirFullChild.FILL_AFTER_STEP + 1, RunDirFullChild.STEPS);
        assertThat(failed).contains(metricsRun.resolve("metrics.jsonl").toString(), "Training stopped",
                "each line whole", "Free space in " + metricsRun, "run again with resume",
                metricsRun.resolve("checkpoints/step-00000016").toString());
        // As it was left: every metrics line whole (steps 1 .. the one before the failure), step-16 intact.
        Path left = snapshots.resolve("metrics");
        assertThat(steps(left)).isEqualTo(range(1, failedStep - 1));
        assertIntact(left, reference, 16);
        assertThat(Files.exists(left.resolve("peft"))).isFalse();
        assertThat(hidden(left)).as("temporary files left").isEmpty();
        // A resume before making room is refused with the same advice and changes nothing.
        assertThat(line(out, "metrics: resume on the full disk: ")).contains("failed:",
                metricsRun.resolve("metrics.jsonl") + ": cannot rewrite the metrics for the resume from step 16",
                "No space left on device", "the file is unchanged", "Free space in " + metricsRun);
        Path stillFull = snapshots.resolve("metrics-still-full");
        assertThat(Files.readAllBytes(stillFull.resolve("metrics.jsonl"))).isEqualTo(Files.readAllBytes(left.resolve("metrics.jsonl")));
        assertIntact(stillFull, reference, 16);
        assertThat(hidden(stillFull)).as("temporary files left by the refused resume").isEmpty();
        // Freed and resumed: the same final weights, export and metrics as the uninterrupted run.
        assertThat(out).contains("metrics: resumed to the end");
        assertSameEnd(copy.resolve("metrics"), reference);

        // Export: the final checkpoint fitted, the PEFT export did not.
        Path exportRun = mount.resolve("export");
        String exportFailed = line(out, "export: failed: ");
        assertThat(exportFailed).contains(exportRun.resolve("peft") + ": cannot export the LoRA adapter in PEFT format",
                "No space left on device", "nothing was written to " + exportRun.resolve("peft"),
                "Free space in " + exportRun, "run again with resume",
                exportRun.resolve("checkpoints/step-00000032").toString(), "the export is redone without training again");
        Path exportLeft = snapshots.resolve("export");
        assertThat(steps(exportLeft)).isEqualTo(range(1, RunDirFullChild.STEPS));
        assertIntact(exportLeft, reference, RunDirFullChild.STEPS);
        // No export that could pass for a whole one, and no staging folder holding the full disk's space.
        assertThat(Files.exists(exportLeft.resolve("peft"))).isFalse();
        assertThat(hidden(exportLeft)).as("temporary files left").isEmpty();
        assertThat(out).contains("export: resumed to the end");
        assertSameEnd(copy.resolve("export"), reference);
    }

    /** The run's latest checkpoint is step {@code step}, verifies, loads, and equals the reference's byte for byte. */
    private static void assertIntact(Path run, Path reference, int step) throws IOException {
        Path c = Checkpoints.latest(run).orElseThrow();
        assertThat(c.getFileName().toString()).isEqualTo(String.format("step-%08d", step));
        assertThat(Checkpoints.readState(c).step()).isEqualTo(step);
        List<Integer> loaded = new ArrayList<>();
        Checkpoints.readTensors(c, m -> loaded.add(m.size()));
        assertThat(loaded).hasSize(1).allMatch(n -> n > 0);
        assertThat(Files.readAllBytes(c.resolve(Checkpoints.TENSORS)))
                .isEqualTo(Files.readAllBytes(reference.resolve("checkpoints").resolve(c.getFileName()).resolve(Checkpoints.TENSORS)));
    }

    /** After the resume: final weights, PEFT export and metrics steps as in the uninterrupted run; nothing hidden left. */
    private static void assertSameEnd(Path run, Path reference) throws IOException {
        String last = String.format("checkpoints/step-%08d/", RunDirFullChild.STEPS) + Checkpoints.TENSORS;
        assertThat(Files.readAllBytes(run.resolve(last))).as("final weights").isEqualTo(Files.readAllBytes(reference.resolve(last)));
        for (String f : List.of("peft/adapter_model.safetensors", "peft/adapter_config.json")) {
            assertThat(Files.readAllBytes(run.resolve(f))).as(f).isEqualTo(Files.readAllBytes(reference.resolve(f)));
        }
        try (SafetensorsFile f = SafetensorsFile.open(run.resolve("peft/adapter_model.safetensors"))) {
            assertThat(f.loadAll()).isNotEmpty();
        }
        assertThat(steps(run)).isEqualTo(range(1, RunDirFullChild.STEPS));
        assertThat(hidden(run)).as("temporary files left").isEmpty();
    }

    /** The step of every metrics line, each parsed as a whole JSON object (a torn line fails here). */
    private static List<Long> steps(Path run) throws IOException {
        List<Long> steps = new ArrayList<>();
        String text = Files.readString(run.resolve("metrics.jsonl"));
        assertThat(text).as("metrics.jsonl ends with a complete line").endsWith("\n");
        for (String line : text.split("\n")) {
            JsonNode m = JSON.readTree(line);
            assertThat(m.isObject()).as(line).isTrue();
            steps.add(m.get("step").asLong());
        }
        return steps;
    }

    private static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            r.add(i);
        }
        return r;
    }

    /** Hidden names in the run directory and checkpoints/: staging folders and temporary files. */
    private static List<String> hidden(Path run) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path d : List.of(run, run.resolve("checkpoints"), run.resolve("peft"))) {
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).forEach(n -> out.add(d + "/" + n));
                }
            }
        }
        return out;
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line starting with '" + prefix + "')");
    }
}
