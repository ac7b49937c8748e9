package org.meftspark.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.Launchers;
import org.meftspark.synth.SampleDatasets;

/**
 * The user's path on one machine: {@code bin/meft run} killed (SIGKILL) in the middle of training,
 * then started again, resumes from its last checkpoint and finishes with the same final adapter,
 * byte for byte, as an uninterrupted run.
 */
@Tag("integration")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class PipelineResumeTest {

    @Test
    void killedRunResumesToTheSameFinalAdapter(@TempDir Path dir) throws Exception {
        SampleDatasets.Files4 data = SampleDatasets.write(dir.resolve("data"), 3, 10);
        Path config = dir.resolve("run.yaml");
        Files.writeString(config, PipelineFixtures.config(data, dir.resolve("shards").toString(),
                dir.resolve("runs").toString(), "resume", "device: cpu, max_steps: 24", "master: 'local[2]'"));

        List<String> uninterrupted = Launchers.run(List.of("bin/meft", "run", "--config", config.toString(),
                "--set", "run.name=straight"), 0);
        assertThat(uninterrupted).anyMatch(l -> l.startsWith("report: "));

        Path b = dir.resolve("runs/killed/variants/meft/train");
        ProcessBuilder pb = new ProcessBuilder("bin/meft", "run", "--config", config.toString(), "--set", "run.name=killed")
                .directory(LaunchEnvironment.current().root().toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile());
        pb.environment().put("MEFT_SKIP_BUILD", "1");
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (latestStep(b) < 8) {
            assertThat(p.isAlive()).as("the run ended before it could be killed:%n%s",
                    Files.readString(dir.resolve("killed.log"))).isTrue();
            assertThat(System.nanoTime()).as("no checkpoint at step 8 in time").isLessThan(deadline);
            Thread.sleep(100);
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor();
        assertThat(b.resolve("DONE.json")).doesNotExist();

        Launchers.run(List.of("bin/meft", "run", "--config", config.toString(), "--set", "run.name=killed"), 0);
        ObjectMapper json = new ObjectMapper();
        Map<?, ?> straight = json.readValue(dir.resolve("runs/straight/variants/meft/train/DONE.json").toFile(), Map.class);
        Map<?, ?> resumed = json.readValue(b.resolve("DONE.json").toFile(), Map.class);
        assertThat(((Number) resumed.get("resumed_at")).longValue()).isGreaterThanOrEqualTo(8);
        assertThat(resumed.get("steps")).isEqualTo(straight.get("steps"));
        assertThat(resumed.get("sha256")).as("final adapter bytes").isEqualTo(straight.get("sha256"));
    }

    private static long latestStep(Path trainDir) {
        try {
            Path latest = trainDir.resolve("checkpoints/latest");
            if (!Files.exists(latest)) {
                return -1;
            }
            String name = Files.readString(latest).trim();
            return Long.parseLong(name.substring(name.indexOf('-') + 1));
        } catch (Exception e) {
            return -1;
        }
    }
}
