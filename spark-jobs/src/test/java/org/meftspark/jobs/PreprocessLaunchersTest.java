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
    void bothLaunchersRunTheJobAndARerunWithoutOverwriteIsRefused() throws Exception {
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

        List<String> first = Launchers.run(List.of("bin/meft", "preprocess", "--config", cfg.toString()), 0);
        assertThat(first).anyMatch(l -> l.startsWith("preprocess: 11 rows"))
                .anyMatch(l -> l.contains("malformed_json")).anyMatch(l -> l.startsWith("contamination"));
        assertThat(out.resolve("manifest.json")).exists();
        byte[] manifest = Files.readAllBytes(out.resolve("manifest.json"));

        // Refused: exit code 2 from meft, the output untouched.
        Launchers.run(List.of("bin/meft", "preprocess", "--config", cfg.toString()), 2);
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(manifest);

        List<String> submitted = Launchers.run(List.of("bin/meft-submit", "--master", "local[2]", "--class",
                PreprocessJob.class.getName(), "--", "--config", cfg.toString(), "--set", "data.overwrite=true"), 0);
        assertThat(submitted).anyMatch(l -> l.startsWith("preprocess: 11 rows"));
        // Deterministic: the same manifest, byte for byte, from the other launcher.
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(manifest);
    }
}
