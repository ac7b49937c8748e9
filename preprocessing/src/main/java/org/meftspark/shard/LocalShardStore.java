package org.meftspark.shard;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A {@link ShardStore} over a local directory. Each file is written to a hidden temporary
 * name in the same directory, forced to disk, then renamed with an atomic move.
 */
public final class LocalShardStore implements ShardStore {
    private final Path dir;

    /** A store over {@code dir}, created if needed. */
    public LocalShardStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    @Override
    public PendingFile create(String name) throws IOException {
        Path target = resolve(name);
        Path temp = Files.createTempFile(dir, "." + name + ".", ".tmp");
        FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        return new PendingFile() {
            private boolean committed;

            @Override
            public WritableByteChannel channel() {
                return ch;
            }

            @Override
            public void commit() throws IOException {
                ch.force(true);
                ch.close();
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                committed = true;
            }

            @Override
            public void close() throws IOException {
                if (!committed) {
                    ch.close();
                    Files.deleteIfExists(temp);
                }
            }
        };
    }

    @Override
    public ReadableByteChannel open(String name) throws IOException {
        try {
            return FileChannel.open(resolve(name), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(resolve(name).toString(), null, "shard store file is missing");
        }
    }

    @Override
    public long size(String name) throws IOException {
        try {
            return Files.size(resolve(name));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(resolve(name).toString(), null, "shard store file is missing");
        }
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(resolve(name));
    }

    /** Names are plain file names: no directories, so nothing is written outside the store. */
    private Path resolve(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("shard store names are plain file names, got '" + name + "'");
        }
        return dir.resolve(name);
    }
}
