package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.arange;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.device.ComputeDevice;

/**
 * Issue 9 item 3 for checkpoints: every flipped byte and every truncation of a checkpoint's files is
 * refused with an error naming the file, before anything is parsed or handed to the trainer.
 */
class CheckpointCorruptionTest {
    @TempDir
    Path tmp;

    private Path checkpoint() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", arange(new org.bytedeco.pytorch.Scalar(24)).to(ScalarType.Float).reshape(4, 6));
        t.put("b", arange(new org.bytedeco.pytorch.Scalar(10)).to(ScalarType.Double));
        return Checkpoints.write(tmp.resolve("run"), 4, t, TestStates.state(4, 0, 2), null);
    }

    private static byte[] flipped(byte[] original, int at) {
        byte[] b = original.clone();
        b[at] ^= (byte) (1 << (at % 8));
        return b;
    }

    @Test
    void anIntactCheckpointLoadsAndCarriesSha256SumsOfBothFiles() throws Exception {
        Path c = checkpoint();
        assertThat(Checkpoints.latest(tmp.resolve("run"))).contains(c);
        assertThat(Checkpoints.readState(c).step()).isEqualTo(4);
        List<String> names = new ArrayList<>();
        Checkpoints.readTensors(c, m -> names.addAll(m.keySet()));
        assertThat(names).containsExactly("a", "b");
        assertThat(Files.readAllLines(c.resolve(Checkpoints.SUMS))).hasSize(2)
                .allMatch(l -> l.matches("[0-9a-f]{64}  (trainable\\.safetensors|state\\.json)"));
    }

    @Test
    void everyFlippedByteOfTheTensorsFileIsRefusedBeforeLoading() throws Exception {
        Path c = checkpoint();
        Path f = c.resolve(Checkpoints.TENSORS);
        byte[] original = Files.readAllBytes(f);
        // every byte: header length prefix, JSON header and tensor data (a flipped data byte is what safetensors cannot see)
        for (int at = 0; at < original.length; at++) {
            Files.write(f, flipped(original, at));
            boolean[] loaded = {false};
            assertThatThrownBy(() -> Checkpoints.readTensors(c, m -> loaded[0] = true)).as("byte %d", at)
                    .hasMessageContaining(f.toString()).hasMessageContaining("is damaged");
            assertThat(loaded[0]).isFalse();
        }
        Files.write(f, original);
        Checkpoints.readTensors(c, m -> assertThat(m).hasSize(2));
    }

    @Test
    void everyTruncationOfTheTensorsFileIsRefused() throws Exception {
        Path c = checkpoint();
        Path f = c.resolve(Checkpoints.TENSORS);
        byte[] original = Files.readAllBytes(f);
        for (int len = 0; len < original.length; len++) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(len);
            }
            assertThatThrownBy(() -> Checkpoints.readTensors(c, m -> { })).as("length %d", len)
                    .hasMessageContaining(f.toString()).hasMessageContaining("is damaged");
            Files.write(f, original);
        }
    }

    @Test
    void everyFlippedByteAndTruncationOfStateJsonIsRefused() throws Exception {
        Path c = checkpoint();
        Path f = c.resolve(Checkpoints.STATE);
        byte[] original = Files.readAllBytes(f);
        for (int at = 0; at < original.length; at++) {
            Files.write(f, flipped(original, at));
            // "step": 4 -> "step": 5 is valid JSON: only the checksum can tell
            assertThatThrownBy(() -> Checkpoints.readState(c)).as("byte %d", at)
                    .hasMessageContaining(f.toString()).hasMessageContaining("is damaged");
        }
        for (int len = 0; len < original.length; len++) {
            Files.write(f, java.util.Arrays.copyOf(original, len));
            assertThatThrownBy(() -> Checkpoints.readState(c)).as("length %d", len).hasMessageContaining("is damaged");
        }
    }

    @Test
    void aDamagedOrMissingSumsFileIsRefused() throws Exception {
        Path c = checkpoint();
        Path sums = c.resolve(Checkpoints.SUMS);
        byte[] original = Files.readAllBytes(sums);
        for (int at = 0; at < original.length; at++) {
            Files.write(sums, flipped(original, at));
            assertThatThrownBy(() -> {
                Checkpoints.readState(c);
                Checkpoints.readTensors(c, m -> { });
            }).as("byte %d", at).hasMessageContaining(Checkpoints.SUMS);
        }
        Files.delete(sums);
        assertThatThrownBy(() -> Checkpoints.latest(tmp.resolve("run"))).hasMessageContaining("incomplete");
        assertThatThrownBy(() -> Checkpoints.readState(c)).hasMessageContaining("SHA256SUMS is missing");
    }

    @Test
    void aDamagedLatestPointerIsRefusedAndCannotPointOutsideTheCheckpointsFolder() throws Exception {
        checkpoint();
        Path run = tmp.resolve("run");
        Path latest = run.resolve("checkpoints").resolve(Checkpoints.LATEST);
        byte[] original = Files.readAllBytes(latest);
        for (int at = 0; at < original.length - 1; at++) { // the last byte is the newline, which trim() ignores
            Files.write(latest, flipped(original, at));
            String name = new String(flipped(original, at), java.nio.charset.StandardCharsets.ISO_8859_1).trim();
            if (name.matches("step-[0-9]{8}")) {
                // a flipped digit that still names a step: it must name a folder that exists and is whole
                assertThatThrownBy(() -> Checkpoints.latest(run)).as("byte %d", at).hasMessageContaining("incomplete");
            } else {
                assertThatThrownBy(() -> Checkpoints.latest(run)).as("byte %d", at).hasMessageContaining(latest + " is damaged");
            }
        }
        for (String hostile : List.of("", "step-0000000", "../../../etc", "step-00000004/../../x", "/etc/passwd")) {
            Files.writeString(latest, hostile);
            assertThatThrownBy(() -> Checkpoints.latest(run)).as("'%s'", hostile).hasMessageContaining(latest + " is damaged");
        }
    }

    @Test
    void resumeFromADamagedCheckpointFailsNamingTheFileAndLeavesTheRunUntouched() throws Exception {
        Path dir = tmp.resolve("resume");
        String extra = "training.max_steps=4;training.checkpoint_every=2";
        Trainer.train(TrainerTest.config("meft", extra), TrainerTest.decoder(ScalarType.Float), TrainerTest.rows(4, 10), dir, false,
                new TrainingListener() {
                    @Override
                    public boolean shouldStop(long stepsDone) {
                        return stepsDone == 2;
                    }
                }, ComputeDevice.cpu(), ScalarType.Float);
        Path tensors = dir.resolve("checkpoints/step-00000002").resolve(Checkpoints.TENSORS);
        byte[] original = Files.readAllBytes(tensors);
        Files.write(tensors, flipped(original, original.length - 3)); // a data byte: the header stays valid
        assertThatThrownBy(() -> Trainer.train(TrainerTest.config("meft", extra), TrainerTest.decoder(ScalarType.Float),
                TrainerTest.rows(4, 10), dir, true, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float))
                .hasMessageContaining(tensors.toString()).hasMessageContaining("is damaged");
        assertThat(TrainerTest.losses(dir)).hasSize(2); // the failed resume did not rewrite metrics
        Files.write(tensors, original);
        TrainingResult r = Trainer.train(TrainerTest.config("meft", extra), TrainerTest.decoder(ScalarType.Float),
                TrainerTest.rows(4, 10), dir, true, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
        assertThat(r.stepsDone()).isEqualTo(4);
    }

    /** What a SIGKILL can leave besides checkpoints: a staging folder, a pointer temp file, half a metrics line. */
    @Test
    void resumeAfterAKillRemovesLeftoversAndAHalfWrittenMetricsLine() throws Exception {
        Path dir = tmp.resolve("killed");
        String extra = "training.max_steps=4;training.checkpoint_every=2";
        Trainer.train(TrainerTest.config("lora", extra), TrainerTest.decoder(ScalarType.Float), TrainerTest.rows(4, 10), dir, false,
                new TrainingListener() {
                    @Override
                    public boolean shouldStop(long stepsDone) {
                        return stepsDone == 2;
                    }
                }, ComputeDevice.cpu(), ScalarType.Float);
        Path root = dir.resolve("checkpoints");
        Files.createDirectories(root.resolve(".staging-step-000000041234"));
        Files.writeString(root.resolve(".staging-step-000000041234").resolve(Checkpoints.TENSORS), "half");
        Files.writeString(root.resolve(".latest5678.tmp"), "step-0000");
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":3,\"loss\":1.2", java.nio.file.StandardOpenOption.APPEND);
        TrainingResult r = Trainer.train(TrainerTest.config("lora", extra), TrainerTest.decoder(ScalarType.Float),
                TrainerTest.rows(4, 10), dir, true, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
        assertThat(r.stepsDone()).isEqualTo(4);
        assertThat(TrainerTest.losses(dir)).hasSize(4);
        try (java.util.stream.Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("latest", "step-00000002", "step-00000004");
        }
        // a damaged line that is not the last one is not silently dropped
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        lines.set(1, "{\"step\":2,");
        Files.write(dir.resolve("metrics.jsonl"), lines);
        Checkpoints.deleteTree(root.resolve("step-00000004"));
        Files.writeString(root.resolve(Checkpoints.LATEST), "step-00000002\n");
        assertThatThrownBy(() -> Trainer.train(TrainerTest.config("lora", extra), TrainerTest.decoder(ScalarType.Float),
                TrainerTest.rows(4, 10), dir, true, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float))
                .hasMessageContaining("metrics.jsonl: line 2 is not JSON");
    }
}
