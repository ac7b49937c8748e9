package org.meftspark.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Makes a job's output appear whole or not at all (the preprocessing, evaluation and scoring
 * jobs). Everything (shards, manifest, {@code _rejects/}, Parquet, metrics.json, report.html)
 * is written into a hidden staging directory next to the output
 * ({@code .NAME.staging-RUNID}); {@link #commit} renames it to the output's name, which is
 * atomic on HDFS and local file systems (on s3a a rename is a copy: readers must check for
 * the job's marker file, e.g. the manifest, which ShardReader does). A failed run deletes its staging directory, and the
 * next run to the same output removes any left by a run that was killed.
 *
 * <p>An existing output is replaced only when asked ({@code data.overwrite}); it is moved
 * aside first and deleted after the new one is in place. Two runs writing the same output at
 * the same time are not supported.
 */
public final class OutputCommit {
    /**
     * How a job names its output in messages.
     *
     * @param job          the job's name, prefixing log lines ({@code preprocess})
     * @param outputKey    where the user chose the output ({@code data.shards}, {@code --out})
     * @param marker       the file that marks a complete output of this job ({@code manifest.json})
     * @param markerWhat   what such an output is ({@code a shard set})
     * @param overwriteHow how to allow replacing it ({@code set data.overwrite: true ...})
     */
    public record Purpose(String job, String outputKey, String marker, String markerWhat, String overwriteHow) {
    }

    private final FileSystem fs;
    private final Path out;
    private final Path staging;

    private final Purpose purpose;

    private OutputCommit(FileSystem fs, Path out, Path staging, Purpose purpose) {
        this.purpose = purpose;
        this.fs = fs;
        this.out = out;
        this.staging = staging;
    }

    /**
     * Checks the output may be written, removes stale staging directories, creates a new one.
     *
     * @throws OutputConflictException when the output exists and overwrite is off
     */
    public static OutputCommit begin(String output, boolean overwrite, Configuration conf, Purpose purpose) {
        try {
            Path raw = new Path(output);
            FileSystem fs = raw.getFileSystem(conf);
            Path out = fs.makeQualified(raw);
            refuseUnlessAllowed(fs, out, overwrite, purpose);
            Path parent = out.getParent();
            if (parent == null) {
                throw new IllegalArgumentException(purpose.outputKey() + ": the output cannot be a file system root: " + output);
            }
            String prefix = "." + out.getName() + ".staging-";
            if (fs.exists(parent)) {
                for (FileStatus s : fs.listStatus(parent)) {
                    if (s.getPath().getName().startsWith(prefix)) {
                        System.err.println(purpose.job() + ": removing " + s.getPath() + ", left by a run that did not finish");
                        fs.delete(s.getPath(), true);
                    }
                }
            }
            Path staging = new Path(parent, prefix + UUID.randomUUID());
            if (!fs.mkdirs(staging)) {
                mkdirsSayingWhy(fs, staging);
            }
            return new OutputCommit(fs, out, staging, purpose);
        } catch (IOException e) {
            throw new UncheckedIOException(purpose.outputKey() + ": cannot prepare " + output + ": " + e.getMessage(), e);
        }
    }

    /**
     * Hadoop's local mkdirs answers only false, and "cannot create" alone leaves the user guessing:
     * java.nio's attempt names the kernel's reason (Read-only file system, Permission denied, No space
     * left on device). Succeeds quietly when that attempt creates the directory after all.
     */
    private static void mkdirsSayingWhy(FileSystem fs, Path dir) throws IOException {
        if (!(fs instanceof LocalFileSystem local)) {
            throw new IOException("cannot create " + dir);
        }
        try {
            java.nio.file.Files.createDirectories(local.pathToFile(dir).toPath());
        } catch (java.nio.file.FileSystemException e) {
            throw new IOException("cannot create " + dir + ": " + (e.getReason() != null ? e.getReason() : e), e);
        }
    }

    private static void refuseUnlessAllowed(FileSystem fs, Path out, boolean overwrite, Purpose purpose)
            throws IOException {
        if (overwrite || !fs.exists(out)) {
            return;
        }
        FileStatus st = fs.getFileStatus(out);
        if (st.isDirectory() && fs.listStatus(out).length == 0) {
            return;
        }
        String what = !st.isDirectory() ? "is a file"
                : fs.exists(new Path(out, purpose.marker())) ? "already holds " + purpose.markerWhat() + " (" + purpose.marker() + ")"
                : "exists and is not empty";
        throw new OutputConflictException("output " + out + " " + what + "; refusing to overwrite it. " + purpose.overwriteHow()
                + " to replace it, or choose another " + purpose.outputKey());
    }

    /** Where this run writes. */
    public Path staging() {
        return staging;
    }

    /** The final output directory. */
    public Path output() {
        return out;
    }

    /** Publishes the staging directory as the output (replacing an old one only when allowed). */
    public void commit(boolean overwrite) throws IOException {
        // Checked again: another run may have published while this one worked.
        refuseUnlessAllowed(fs, out, overwrite, purpose);
        Path aside = null;
        if (fs.exists(out)) {
            aside = new Path(out.getParent(), "." + out.getName() + ".replaced-" + UUID.randomUUID());
            if (!fs.rename(out, aside)) {
                throw new IOException("cannot move the old output " + out + " aside to " + aside);
            }
        }
        if (!fs.rename(staging, out)) {
            if (aside != null) {
                fs.rename(aside, out);
            }
            throw new IOException("cannot rename " + staging + " to " + out);
        }
        if (aside != null) {
            fs.delete(aside, true);
        }
    }

    /** Deletes the staging directory (after a failure); the output is untouched. */
    public void abort() {
        try {
            fs.delete(staging, true);
        } catch (IOException e) {
            System.err.println(purpose.job() + ": could not remove " + staging + " (" + e.getMessage()
                    + "); the next run to this output removes it");
        }
    }
}
