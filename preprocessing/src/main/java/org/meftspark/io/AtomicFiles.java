package org.meftspark.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small local files written whole or not at all: a temporary file next to the target, then a rename.
 *
 * <p>Durability: a rename is atomic for other processes, but after a power cut the kernel may have
 * persisted the new name before the file's data (ext4 with delalloc, XFS), leaving a whole-looking
 * empty or short file. So the data is forced to disk before the rename and the folder after it
 * ({@link #force}, {@link #forceDirectory}); the checkpoint writer uses the same two calls.
 */
public final class AtomicFiles {

    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private AtomicFiles() {
    }

    /**
     * Writes {@code text} (UTF-8) to {@code file}, creating its folder; a reader never sees a
     * half-written file, and a failure leaves the old file (if any) in place.
     *
     * @param what what the file is, for the error message (e.g. "report")
     */
    public static void writeString(Path file, String text, String what) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, text);
                force(tmp);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                forceDirectory(dir);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** fsync of a written file: its data and size are on disk when this returns. */
    public static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * fsync of a folder, so the names created or renamed in it survive a power cut (Linux and
     * macOS allow it on a read-only descriptor). Windows cannot open a folder as a channel, and
     * NTFS journals names itself, so there it is skipped.
     */
    public static void forceDirectory(Path dir) throws IOException {
        if (WINDOWS) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Deletes a folder and everything in it, children first. */
    public static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
