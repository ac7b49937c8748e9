package org.meftspark.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.device.ComputeDevice;

/**
 * The training process of {@link RunDirectoryFullTest}, inside the namespace of a {@link TinyDisk}.
 * It trains LoRA on {@code embedded:tiny-llama} three times with the same configuration:
 * <ol>
 *   <li>{@code reference}: uninterrupted, on the real disk;</li>
 *   <li>{@code metrics}: on the tiny disk, which a filler file fills right after step
 *       {@link #FILL_AFTER_STEP} (after checkpoint step-16), so the next write that needs a new page
 *       is a metrics line; the run directory is copied out as it was left, a resume is tried on the
 *       still full disk (and copied out again), then the filler is deleted and the run resumed to its end;</li>
 *   <li>{@code export}: on the tiny disk, filled after the last step so that only the final
 *       checkpoint fits and the PEFT export does not; copied out, freed, resumed.</li>
 * </ol>
 * Prints {@code NAME: failed: MESSAGE}, {@code NAME: resumed to the end} and the like for the test.
 * Args: referenceDir mountPoint snapshotDir.
 */
public final class RunDirFullChild {
    static final int STEPS = 32;
    static final int CHECKPOINT_EVERY = 16;
    /**
     * The disk fills after this step. A metrics line is a few hundred bytes, so the 15 lines until
     * the next checkpoint (step 32) cross into a new tmpfs page, which the full disk refuses.
     */
    static final int FILL_AFTER_STEP = 17;
    static final int PAGE = 4096;

    private RunDirFullChild() {
    }

    static RunConfig config() {
        String yaml = """
                run: {seed: 29}
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                adapter:
                  method: lora
                  lora_rank: 8
                  lora_dropout: 0.1
                  lora_targets: [q_proj, v_proj, down_proj]
                training:
                  device: cpu
                  learning_rate: 0.01
                  micro_batch_size: 2
                  gradient_accumulation: 2
                  max_steps: %d
                  checkpoint_every: %d
                  lr_schedule: cosine
                  warmup_steps: 3
                """.formatted(STEPS, CHECKPOINT_EVERY);
        return RunConfigLoader.parse(yaml, "run-dir-full", List.of());
    }

    static void train(Path dir, boolean resume, TrainingListener listener) {
        RunConfig c = config();
        Trainer.train(c, org.meftspark.model.BaseModels.load(c.model(), ComputeDevice.cpu()), CrashResumeChild.rows(), dir, resume, listener,
                ComputeDevice.cpu(), ScalarType.Float);
    }

    /** Writes zeros to {@code filler} until the kernel answers ENOSPC; returns the bytes it took. */
    static long fill(Path filler) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (true) {
                zeros.clear();
                try {
                    while (zeros.hasRemaining()) {
                        ch.write(zeros);
                    }
                } catch (IOException full) {
                    if (!String.valueOf(full.getMessage()).contains("No space left")) {
                        throw full;
                    }
                    return ch.size();
                }
            }
        }
    }

    /** Gives back at least {@code bytes} (whole pages) of a filler made by {@link #fill}. */
    static void free(Path filler, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
            ch.truncate(Math.max(0, (ch.size() - bytes) / PAGE * PAGE));
        }
    }

    /** Runs until {@code listener} fills the disk and the run fails; copies the run directory out; frees; resumes. */
    static void failThenResume(String name, Path dir, Path filler, Path snapshot, boolean resumeWhileFull,
                               TrainingListener listener) throws IOException {
        try {
            train(dir, false, listener);
            System.out.println(name + ": finished without a failure");
            return;
        } catch (RuntimeException e) {
            System.out.println(name + ": failed: " + e.getMessage());
        }
        copy(dir, snapshot);
        if (resumeWhileFull) { // an operator retrying before making room: refused, nothing changed, no space taken
            try {
                train(dir, true, TrainingListener.NONE);
                System.out.println(name + ": resume on the full disk: finished");
            } catch (RuntimeException e) {
                System.out.println(name + ": resume on the full disk: failed: " + e.getMessage());
            }
            copy(dir, snapshot.resolveSibling(snapshot.getFileName() + "-still-full"));
        }
        Files.delete(filler);
        System.out.println(name + ": space freed");
        try {
            train(dir, true, TrainingListener.NONE);
            System.out.println(name + ": resumed to the end");
        } catch (RuntimeException e) {
            System.out.println(name + ": resume failed: " + e);
        }
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path reference = Path.of(args[0]);
        Path mount = Path.of(args[1]);
        Path snapshots = Path.of(args[2]);
        train(reference, false, TrainingListener.NONE);
        System.out.println("reference: done");

        Path filler = mount.resolve("filler");
        failThenResume("metrics", mount.resolve("metrics"), filler, snapshots.resolve("metrics"), true, new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (m.step() == FILL_AFTER_STEP) {
                    try {
                        System.out.println("metrics: filled the disk after step " + FILL_AFTER_STEP + " with " + fill(filler)
                                + " bytes");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        });

        Path exportDir = mount.resolve("export");
        failThenResume("export", exportDir, filler, snapshots.resolve("export"), false, new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (m.step() == STEPS) {
                    try {
                        // Room for the final checkpoint (its tensors, state.json, SHA256SUMS, the latest pointer's
                        // temporary file) and one page more; the PEFT export (several pages) then cannot fit.
                        long tensors = Files.size(exportDir.resolve("checkpoints/step-00000016").resolve(Checkpoints.TENSORS));
                        long room = ((tensors + PAGE - 1) / PAGE + 4) * PAGE;
                        fill(filler);
                        free(filler, room);
                        System.out.println("export: filled the disk after step " + STEPS + " but for " + room + " bytes");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        });
        System.out.flush();
        System.exit(0); // libtorch threads must not keep the JVM alive
    }
}
