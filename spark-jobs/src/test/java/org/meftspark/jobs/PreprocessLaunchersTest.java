package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.spark.Launchers;

/** The job as a user starts it: bin/meft preprocess, and bin/meft-submit --class PreprocessJob. */
@Tag("integration")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class PreprocessLaunchersTest {
    @TempDir
    Path dir;

    @Test
    void bothLaunchersRunTheJobExitOneOnTooManyRejectsAndARerunWithoutOverwriteIsRefused() throws Exception {
        Path in = dir.resolve("in");
        PreprocessFixtures.writeFileInputs(in);
        Path out = dir.resolve("shards");
        Path cfg = dir.resolve("run.yaml");
        Files.writeString(cfg, """
                data:
                  inputs:
                    - {dataset: nq_open, path: "%1$s/nq.jsonl"}
                    - {dataset: gsm8k, path: "%1$s/gsm8k-train.jsonl", split: train}
                    - {dataset: gsm8k, path: "%1$s/gsm8k-test.jsonl", split: test}
                  shards: "%2$s"
                  max_length: 512
                model: {tokenizer: byte}
                spark: {master: "local[2]", partitions: 2}
                """.formatted(in, out));

        // The fixtures' bad records are more than data.max_reject_fraction (5 %) of nq_open and gsm8k: exit 1,
        // each dataset named with its share and top reasons, and the shards and _rejects/ written all the same.
        Launchers.Output first = Launchers.runCapturing(List.of("bin/meft", "preprocess", "--config", cfg.toString()), 1);
        assertThat(first.out()).anyMatch(l -> l.startsWith("preprocess: 11 rows"))
                .anyMatch(l -> l.contains("malformed_json")).anyMatch(l -> l.startsWith("contamination"));
        assertThat(first.err())
                .anyMatch(l -> l.startsWith("preprocess: nq_open: ") && l.contains("more than max_reject_fraction 0.05")
                        && l.contains("malformed_json") && l.contains("--allow-rejects"))
                .anyMatch(l -> l.startsWith("preprocess: gsm8k: ") && l.contains("target_too_long"));
        assertThat(out.resolve("manifest.json")).exists();
        byte[] manifest = Files.readAllBytes(out.resolve("manifest.json"));

        // Refused: exit code 2 from meft, the output untouched.
        Launchers.run(List.of("bin/meft", "preprocess", "--config", cfg.toString()), 2);
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(manifest);

        // --allow-rejects accepts the same run: exit 0, the problems still printed.
        Launchers.Output submitted = Launchers.runCapturing(List.of("bin/meft-submit", "--master", "local[2]", "--class",
                PreprocessJob.class.getName(), "--", "--config", cfg.toString(), "--set", "data.overwrite=true",
                "--allow-rejects"), 0);
        assertThat(submitted.out()).anyMatch(l -> l.startsWith("preprocess: 11 rows"));
        assertThat(submitted.err()).anyMatch(l -> l.startsWith("preprocess: accepted (--allow-rejects): nq_open: "));
        // Deterministic: the same manifest, byte for byte, from the other launcher.
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(manifest);
    }
}
