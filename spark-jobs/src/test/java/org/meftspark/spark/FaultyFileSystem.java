package org.meftspark.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.apache.spark.TaskContext;

/**
 * Test-only fault injection for Spark jobs, without the jobs knowing: Hadoop's local file system
 * ({@code file:}) with faults that fire inside Spark tasks, on the paths a test names. It is
 * installed by {@link #install}, which sets {@code fs.file.impl} to this class (test classpath only,
 * so nothing in a build can load it) and turns off the FileSystem cache for {@code file:} so every
 * task's {@code getFileSystem} sees the faults of the job's Hadoop configuration.
 *
 * <p>Faults, as Hadoop configuration keys (regexes are matched against the whole path):
 * <ul>
 *   <li>{@code meft.faults.open}: opening a matching file for reading fails on a task's first attempt;</li>
 *   <li>{@code meft.faults.write} + {@code .after} (bytes): a file created by a task's first attempt
 *       fails after that many bytes were written, leaving a partial file;</li>
 *   <li>{@code meft.faults.full} + {@code .after}: on every attempt, writing more than that many bytes
 *       to a matching file fails with "No space left on device" (as a full disk does);</li>
 *   <li>{@code meft.faults.straggle} + {@code .partition} + {@code .until} (a glob) + {@code .max-ms}:
 *       the first attempt of that partition, before it opens or creates a matching file (or, with
 *       {@code .at=sync}, when it syncs one it wrote), stops until a file matching the glob exists (or
 *       max-ms passed) and ignores being killed meanwhile, as a task stuck in a slow disk does; then
 *       it goes on.</li>
 *   <li>{@code meft.faults.halt} + {@code .after} (bytes) + {@code .once} (a local file): the first
 *       attempt of a task that writes more than that many bytes to a matching file kills its whole
 *       executor JVM ({@code Runtime.halt}, exit status {@value #HALT_STATUS}: no shutdown hooks, no
 *       goodbye to the driver, as when the kernel's OOM killer or a lost host ends it), leaving the
 *       partial file. Only one executor halts: the one that creates the {@code .once} file (Spark
 *       numbers the attempts of a resubmitted stage from 0 again, so "first attempt" alone would kill
 *       the replacement too). Never in the driver.</li>
 * </ul>
 * Every fault prints a line starting with {@code meft-fault:} to stderr and carries
 * {@link #MARK} in its message, so tests can count them.
 */
public class FaultyFileSystem extends LocalFileSystem {
    /** In every injected exception's message. */
    public static final String MARK = "meft-fault";

    /** The exit status of an executor killed by {@code meft.faults.halt}. */
    public static final int HALT_STATUS = 57;

    /** Installs the file system in {@code conf} (the session's Hadoop configuration, or spark.hadoop.* keys). */
    public static void install(java.util.function.BiConsumer<String, String> conf) {
        conf.accept("fs.file.impl", FaultyFileSystem.class.getName());
        conf.accept("fs.file.impl.disable.cache", "true");
    }

    /** Removes every fault from {@code conf} (the file system stays installed and behaves as the local one). */
    public static void clear(Configuration conf) {
        for (String k : new String[] {"open", "write", "full", "straggle", "halt"}) {
            conf.unset("meft.faults." + k);
        }
    }

    private static boolean matches(Configuration conf, String key, Path p) {
        String regex = conf.get("meft.faults." + key);
        return regex != null && Pattern.compile(regex).matcher(p.toUri().getPath()).matches();
    }

    /** The running task's first attempt (never the driver, where there is no task). */
    private static boolean firstAttempt() {
        TaskContext t = TaskContext.get();
        return t != null && t.attemptNumber() == 0;
    }

    private static String where(Path p) {
        TaskContext t = TaskContext.get();
        return p + (t == null ? " (driver)" : " (stage " + t.stageId() + " partition " + t.partitionId() + " attempt "
                + t.attemptNumber() + ")");
    }

    private void maybeStraggle(Path p, String at) throws IOException {
        Configuration c = getConf();
        if (!c.get("meft.faults.straggle.at", "create").equals(at)) {
            return;
        }
        TaskContext t = TaskContext.get();
        if (!matches(c, "straggle", p) || t == null || t.attemptNumber() != 0
                || t.partitionId() != c.getInt("meft.faults.straggle.partition", 0)) {
            return;
        }
        System.err.println(MARK + ": straggling at " + where(p));
        Path until = new Path(c.get("meft.faults.straggle.until"));
        long deadline = System.nanoTime() + c.getLong("meft.faults.straggle.max-ms", 60_000) * 1_000_000;
        // With until-killed, the straggler also waits for the scheduler's kill: a driver step that follows the
        // winning copy within milliseconds (a file the driver writes itself) can otherwise beat the kill message.
        boolean untilKilled = c.getBoolean("meft.faults.straggle.until-killed", false);
        boolean interrupted = false;
        while (System.nanoTime() < deadline) {
            org.apache.hadoop.fs.FileStatus[] found = getRawFileSystem().globStatus(until);
            if (found != null && found.length > 0 && (interrupted || !untilKilled)) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                interrupted = true; // killed by the scheduler: a stuck write does not notice
            }
        }
        System.err.println(MARK + ": straggler goes on at " + where(p) + (interrupted ? " after being killed" : ""));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        maybeStraggle(f, "create");
        if (firstAttempt() && matches(getConf(), "open", f)) {
            System.err.println(MARK + ": failing open of " + where(f));
            throw new IOException(MARK + ": injected failure opening " + where(f));
        }
        return super.open(f, bufferSize);
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        maybeStraggle(f, "create");
        return wrap(f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
    }

    @Override
    public FSDataOutputStream createNonRecursive(Path f, FsPermission permission,
                                                 java.util.EnumSet<org.apache.hadoop.fs.CreateFlag> flags,
                                                 int bufferSize, short replication, long blockSize,
                                                 Progressable progress) throws IOException {
        maybeStraggle(f, "create");
        return wrap(f, super.createNonRecursive(f, permission, flags, bufferSize, replication, blockSize, progress));
    }

    private FSDataOutputStream wrap(Path f, FSDataOutputStream out) {
        Configuration c = getConf();
        long limit = Long.MAX_VALUE;
        String message = null;
        String once = null;
        if (matches(c, "full", f)) {
            limit = c.getLong("meft.faults.full.after", 0);
            message = "No space left on device";
        } else if (firstAttempt() && matches(c, "halt", f)) {
            limit = c.getLong("meft.faults.halt.after", 0);
            once = c.get("meft.faults.halt.once");
            if (once == null) {
                throw new IllegalArgumentException("meft.faults.halt needs meft.faults.halt.once (a local file)");
            }
            message = MARK + ": halting the executor after " + limit + " bytes of " + where(f);
        } else if (firstAttempt() && matches(c, "write", f)) {
            limit = c.getLong("meft.faults.write.after", 0);
            message = MARK + ": injected failure after writing " + limit + " bytes of " + where(f);
        }
        if (message == null && !"sync".equals(c.get("meft.faults.straggle.at"))) {
            return out;
        }
        return new FSDataOutputStream(new Limited(out, limit, message, once, f, this), statistics);
    }

    /** Passes bytes through until the limit, then fails every write (a partial file stays behind). */
    private static final class Limited extends OutputStream implements Syncable {
        private final FSDataOutputStream out;
        private long limit;
        private final String message;
        /** Non-null: at the limit, halt the JVM (if this one claims the file) instead of failing. */
        private final String haltOnce;
        private final Path path;
        private final FaultyFileSystem fs;
        private long written;

        Limited(FSDataOutputStream out, long limit, String message, String haltOnce, Path path, FaultyFileSystem fs) {
            this.out = out;
            this.limit = limit;
            this.message = message;
            this.haltOnce = haltOnce;
            this.path = path;
            this.fs = fs;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > limit && haltOnce != null && !claim(haltOnce)) {
                limit = Long.MAX_VALUE; // another executor already halted: this write goes through
            }
            if (written + len > limit) {
                int part = (int) Math.max(0, limit - written);
                out.write(b, off, part);
                written += part;
                if (haltOnce != null) {
                    out.hflush(); // the partial file stays behind, as a killed writer leaves it
                    System.err.println(message);
                    System.err.flush();
                    Runtime.getRuntime().halt(HALT_STATUS);
                }
                System.err.println(MARK + ": failing write at byte " + written + " of " + where(path));
                throw new IOException(message);
            }
            out.write(b, off, len);
            written += len;
        }

        /** Whether this JVM is the one to halt: an executor's, and the first to create {@code once}. */
        private static boolean claim(String once) throws IOException {
            org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
            if (env == null || "driver".equals(env.executorId())) {
                return false;
            }
            try {
                java.nio.file.Files.createFile(java.nio.file.Path.of(once));
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void hflush() throws IOException {
            out.hflush();
        }

        @Override
        public void hsync() throws IOException {
            fs.maybeStraggle(path, "sync"); // a writer that has all its bytes but is slow to make them durable
            out.hsync();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
