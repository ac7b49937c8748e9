package org.meftspark.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The run directory's {@code metrics.jsonl}: one JSON line per step, each line whole or absent, so
 * readers that parse every line (the study's TrainingStats) never meet half an object, whether the run
 * was killed or its disk filled.
 */
final class MetricsFile {

    private MetricsFile() {
    }
    /** A run started afresh: no metrics of an earlier attempt. */
    static void startFresh(Path runDir) {
        try {
            Files.deleteIfExists(runDir.resolve("metrics.jsonl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** On resume, drops metrics of steps after the checkpoint (they will be run again). */
    static void keepUpTo(Path runDir, long step) {
        Path p = runDir.resolve("metrics.jsonl");
        if (!Files.exists(p)) {
            return;
        }
        try {
            List<String> keep = new ArrayList<>();
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                java.util.Optional<StepMetrics> m = StepMetrics.parse(line);
                if (m.isEmpty()) {
                    if (i == lines.size() - 1) {
                        continue; // the line a killed run was writing: its step is run again
                    }
                    throw new IllegalStateException(p + ": line " + (i + 1) + " is not JSON metrics (" + abbreviate(line)
                            + "); the file is damaged, remove that line to resume");
                }
                if (m.get().step() <= step) {
                    keep.add(line);
                }
            }
            Path tmp = Files.createTempFile(runDir, ".metrics", ".tmp");
            try {
                Files.write(tmp, keep, StandardCharsets.UTF_8);
                Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp); // a failed rewrite (disk still full) must not keep holding the space
            }
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": cannot rewrite the metrics for the resume from step " + step + ": "
                    + e.getMessage() + "; the file is unchanged. Free space in " + runDir + " (or make it writable) and "
                    + "run again with resume", e);
        }
    }

    /**
     * Appends one step's metrics line. A line either lands whole or not at all: when the write fails
     * (disk full: the kernel may have taken the first bytes of the line before refusing the rest),
     * the file is cut back to its length before the line, so readers that parse every line (the
     * study's TrainingStats) never meet half a JSON object. Cutting a file back needs no free space.
     */
    static void append(FileChannel ch, Path file, StepMetrics m, Path runDir) {
        long step = m.step();
        byte[] line = (m.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        long before = -1;
        try {
            before = ch.position();
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (IOException e) {
            String kept;
            try {
                if (before < 0) {
                    throw e;
                }
                ch.truncate(before);
                ch.position(before);
                kept = "the file keeps the metrics of steps before " + step + ", each line whole";
            } catch (IOException again) {
                kept = "its last line may be cut short (a resume drops it)";
            }
            throw new UncheckedIOException(file + ": cannot write the metrics of step " + step + ": " + e.getMessage()
                    + ". Training stopped; " + kept + ". " + Checkpoints.resumeAdvice(runDir), e);
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 60 ? line : line.substring(0, 60) + "...";
    }
}
