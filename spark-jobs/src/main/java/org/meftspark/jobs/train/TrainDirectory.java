package org.meftspark.jobs.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a training task writes. The trainer works on a local directory (checkpoints are renamed
 * into place atomically there). When the run directory is local ({@code file:} or a plain path)
 * the trainer writes into it directly, so a killed run resumes from its last checkpoint. On a
 * remote file system (hdfs:, s3a:) the task trains in a local scratch directory seeded with the
 * remote directory's content (so it resumes too) and publishes the result at the end: copied
 * next to the target, then renamed over it.
 */
final class TrainDirectory implements AutoCloseable {
    private final FileSystem fs;
    private final Path target;
    private final java.nio.file.Path local;
    private final boolean scratch;

    private TrainDirectory(FileSystem fs, Path target, java.nio.file.Path local, boolean scratch) {
        this.fs = fs;
        this.target = target;
        this.local = local;
        this.scratch = scratch;
    }

    static TrainDirectory open(String dir, Configuration conf) {
        try {
            Path target = new Path(dir);
            FileSystem fs = target.getFileSystem(conf);
            target = fs.makeQualified(target);
            if (fs instanceof LocalFileSystem || "file".equals(fs.getUri().getScheme())) {
                java.nio.file.Path p = java.nio.file.Path.of(target.toUri());
                Files.createDirectories(p);
                return new TrainDirectory(fs, target, p, false);
            }
            java.nio.file.Path tmp = Files.createTempDirectory("meft-train-");
            if (fs.exists(target)) {
                // Seed the scratch directory with the published state: checkpoints to resume from.
                // (FileUtil copies a directory into a destination that must not exist yet.)
                java.nio.file.Path copied = tmp.resolve(target.getName());
                if (!FileUtil.copy(fs, target, copied.toFile(), false, conf)) {
                    throw new IOException("cannot copy " + target + " to " + copied);
                }
                return new TrainDirectory(fs, target, copied, true);
            }
            java.nio.file.Path fresh = tmp.resolve(target.getName());
            Files.createDirectories(fresh);
            return new TrainDirectory(fs, target, fresh, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the training directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The directory the trainer writes. */
    java.nio.file.Path local() {
        return local;
    }

    /**
     * Publishes one checkpoint of a remote run as soon as rank 0 wrote it, so that a task or stage that
     * fails later resumes from it (a no-op for local run directories, where the trainer writes in place):
     * the folder is copied under a staging name and renamed into {@code checkpoints/}, then the run's
     * {@code checkpoints/latest} and {@code metrics.jsonl} are replaced atomically (rename with overwrite).
     */
    void publishCheckpoint(java.nio.file.Path checkpoint, Configuration conf) throws IOException {
        if (!scratch) {
            return;
        }
        Path remote = new Path(target, "checkpoints");
        fs.mkdirs(remote);
        String name = checkpoint.getFileName().toString();
        Path folder = new Path(remote, name);
        if (!fs.exists(folder)) {
            // ".staging-step-" is what Checkpoints.removeLeftovers clears when a run restarts.
            Path staging = new Path(remote, ".staging-" + name + "-" + UUID.randomUUID());
            if (!FileUtil.copy(checkpoint.toFile(), fs, staging, false, conf) || !fs.rename(staging, folder)) {
                throw new IOException("cannot publish checkpoint " + checkpoint + " to " + folder);
            }
        }
        replace(checkpoint.getParent().resolve("latest"), new Path(remote, "latest"), conf);
        replace(local.resolve("metrics.jsonl"), new Path(target, "metrics.jsonl"), conf);
    }

    /** Copies a local file next to {@code remote} and renames it over {@code remote} in one step. */
    private void replace(java.nio.file.Path file, Path remote, Configuration conf) throws IOException {
        Path tmp = new Path(remote.getParent(), "." + remote.getName() + "-" + UUID.randomUUID() + ".tmp");
        if (!FileUtil.copy(file.toFile(), fs, tmp, false, conf)) {
            throw new IOException("cannot copy " + file + " to " + tmp);
        }
        org.apache.hadoop.fs.FileContext.getFileContext(fs.getUri(), conf).rename(tmp, remote,
                org.apache.hadoop.fs.Options.Rename.OVERWRITE);
    }

    /** Publishes the local result to a remote target (a no-op for local run directories). */
    void publish(Configuration conf) throws IOException {
        if (!scratch) {
            return;
        }
        Path staging = new Path(target.getParent(), "." + target.getName() + ".staging-" + UUID.randomUUID());
        if (!FileUtil.copy(local.toFile(), fs, staging, false, conf)) {
            throw new IOException("cannot copy " + local + " to " + staging);
        }
        Path aside = null;
        if (fs.exists(target)) {
            aside = new Path(target.getParent(), "." + target.getName() + ".replaced-" + UUID.randomUUID());
            if (!fs.rename(target, aside)) {
                throw new IOException("cannot move " + target + " aside");
            }
        }
        if (!fs.rename(staging, target)) {
            if (aside != null) {
                fs.rename(aside, target);
            }
            throw new IOException("cannot rename " + staging + " to " + target);
        }
        if (aside != null) {
            fs.delete(aside, true);
        }
    }

    @Override
    public void close() throws IOException {
        if (scratch) {
            FileUtil.fullyDelete(local.getParent().toFile());
        }
    }
}
