package org.meftspark.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.EnumSet;
import java.util.UUID;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.meftspark.shard.ShardStore;

/**
 * A {@link ShardStore} over a directory of any Hadoop {@code FileSystem} ({@code file:},
 * {@code hdfs:}, {@code s3a:}). Each file is written under a hidden temporary name
 * ({@code .NAME.UUID.tmp}, which Hadoop input formats and {@code ShardReader} ignore), synced
 * and renamed on commit. Reads are one plain sequential stream, which is all
 * {@code ShardReader} needs (no seeking, so object stores work too).
 *
 * <p>Serializable (the configuration travels with it), so Spark tasks write shards through
 * the same store the driver created.
 */
public final class HadoopShardStore implements ShardStore, Serializable {
    private static final long serialVersionUID = 1L;
    private final String dir;
    private final HadoopConf conf;
    private final boolean dirMustExist;

    /** A store over {@code dir} (a path or URI); nothing is created until a file is written. */
    public HadoopShardStore(String dir, HadoopConf conf) {
        this(dir, conf, false);
    }

    private HadoopShardStore(String dir, HadoopConf conf, boolean dirMustExist) {
        this.dir = dir;
        this.conf = conf;
        this.dirMustExist = dirMustExist;
    }

    /**
     * A store over a directory that already exists and whose files may not recreate it: a job's
     * staging directory. Spark lets a task of a failed job run on after the driver has deleted the
     * staging directory; were its file creation free to create parents, the directory would come
     * back with that task's file in it and stay (seen with a full disk: the abort removed it, a
     * shard task started just after brought it back).
     */
    public static HadoopShardStore inExistingDir(String dir, HadoopConf conf) {
        return new HadoopShardStore(dir, conf, true);
    }

    /** The directory as given. */
    public Path dir() {
        return new Path(dir);
    }

    private FileSystem fs() throws IOException {
        return dir().getFileSystem(conf.get());
    }

    @Override
    public PendingFile create(String name) throws IOException {
        Path target = resolve(name);
        Path temp = new Path(dir(), "." + name + "." + UUID.randomUUID() + ".tmp");
        FileSystem fs = fs();
        // The local file system's checksum layer leaks both its file descriptors when close() fails
        // (ChecksumFSOutputSummer.close stops at the failing flush): after "No space left on device" the
        // deleted temporary file kept its space and the disk could not even be remounted. The raw local
        // file system closes its descriptor whatever the flush did; the manifest's sha256 already covers
        // every shard, so Hadoop's .crc files add nothing. Hadoop's own class only: a subclass (the tests'
        // fault injector) may add to create what the raw file system would skip.
        FileSystem writeFs = fs.getClass() == LocalFileSystem.class ? ((LocalFileSystem) fs).getRawFileSystem() : fs;
        FSDataOutputStream out = dirMustExist ? createInExisting(writeFs, temp) : writeFs.create(temp, false);
        WritableByteChannel channel = Channels.newChannel(out);
        return new PendingFile() {
            private boolean committed;
            private boolean closed;

            @Override
            public WritableByteChannel channel() {
                return channel;
            }

            @Override
            public void commit() throws IOException {
                // hsync: on HDFS the bytes are on the datanodes' disks before the name appears.
                out.hsync();
                out.close();
                closed = true;
                if (fs.exists(target)) {
                    // Hadoop's rename never replaces a file; a retried task may commit the same name again.
                    fs.delete(target, false);
                }
                if (!fs.rename(temp, target)) {
                    fs.delete(temp, false);
                    throw new IOException("cannot rename " + temp + " to " + target);
                }
                committed = true;
            }

            @Override
            public void close() throws IOException {
                if (committed) {
                    return;
                }
                try {
                    if (!closed) {
                        out.close();
                        closed = true;
                    }
                } finally {
                    fs.delete(temp, false);
                }
            }
        };
    }

    private static FSDataOutputStream createInExisting(FileSystem fs, Path file) throws IOException {
        try {
            // The flags variant: the others do not reach a subclass's override in ChecksumFileSystem.
            return fs.createNonRecursive(file, FsPermission.getFileDefault(), EnumSet.of(CreateFlag.CREATE),
                    fs.getConf().getInt("io.file.buffer.size", 4096), fs.getDefaultReplication(file),
                    fs.getDefaultBlockSize(file), null);
        } catch (IOException | UnsupportedOperationException e) {
            // Hadoop's FileSystem says "createNonRecursive unsupported for this filesystem" with an IOException.
            if (e instanceof IOException && !String.valueOf(e.getMessage()).startsWith("createNonRecursive unsupported")) {
                throw e;
            }
            // A file system without it: checking first leaves a small window, better than none.
            if (!fs.getFileStatus(file.getParent()).isDirectory()) {
                throw new FileNotFoundException(file.getParent() + " is not a directory");
            }
            return fs.create(file, false);
        }
    }

    @Override
    public ReadableByteChannel open(String name) throws IOException {
        Path p = resolve(name);
        try {
            return Channels.newChannel(fs().open(p));
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(p + ": shard store file is missing");
        }
    }

    @Override
    public long size(String name) throws IOException {
        Path p = resolve(name);
        try {
            return fs().getFileStatus(p).getLen();
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(p + ": shard store file is missing");
        }
    }

    @Override
    public boolean exists(String name) throws IOException {
        Path p = resolve(name);
        FileSystem fs = fs();
        return fs.exists(p) && fs.getFileStatus(p).isFile();
    }

    /** Names are plain file names, as in LocalShardStore: nothing is written outside the store. */
    private Path resolve(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("shard store names are plain file names, got '" + name + "'");
        }
        return new Path(dir(), name);
    }
}
