package org.meftspark.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.adapters.AdapterConfig;
import org.meftspark.io.AtomicFiles;
import org.meftspark.safetensors.SafetensorsException;
import org.meftspark.safetensors.SafetensorsFile;
import org.meftspark.safetensors.SafetensorsWriter;

/**
 * Checkpoints under {@code runDir/checkpoints/step-NNNNNNNN/}: {@code trainable.safetensors} (the
 * method's parameters and optimizer state), {@code state.json} (step, data position, counters;
 * {@link TrainState}) and {@code adapter.json} (what the tensors are: method, settings, base shape;
 * {@link AdapterConfig}), so a checkpoint loads without the run's configuration.
 * A checkpoint is assembled in a hidden staging folder and renamed into place, then
 * {@code checkpoints/latest} is replaced atomically: a crash never leaves a half checkpoint that a
 * resume would pick up. RNG state needs no saving: every draw is seeded from (run seed, position).
 *
 * <p>Integrity (issue 9): safetensors and JSON carry no checksum, so a flipped data byte would load
 * silently. Each checkpoint therefore holds {@code SHA256SUMS} (the {@code sha256sum} format, so
 * {@code sha256sum -c SHA256SUMS} checks it by hand) over both files; {@link #readState} and
 * {@link #readTensors} verify it before parsing anything, and {@code latest} must name a
 * {@code step-NNNNNNNN} folder, so a damaged pointer can neither mislead a resume nor escape the folder.
 */
public final class Checkpoints {
    /** The method's tensors in a checkpoint folder. */
    public static final String TENSORS = "trainable.safetensors";
    static final String STATE = "state.json";
    static final String LATEST = "latest";
    static final String SUMS = "SHA256SUMS";
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("step-[0-9]{8}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoints() {
    }

    /**
     * Writes a checkpoint and points {@code latest} at it; returns its folder.
     *
     * <p>Durability (issue 9): the files and the staging folder are forced to disk before the
     * rename, and {@code checkpoints/} after it and after {@code latest} moves, so after a power cut
     * {@code latest} never names a folder whose files the kernel had not yet written (a killed
     * process needs none of this: the kernel still completes its writes). Four to five fsyncs per
     * checkpoint, whatever its size. A failed write (disk full, folder not writable) removes its
     * staging folder, so the space it took is free again, and leaves every earlier checkpoint and
     * {@code latest} as they were.
     *
     * @param adapter what the tensors are ({@code adapter.json}); null writes none, as checkpoints from before
     *                2026-12-05 were (tests of the file mechanics)
     */
    public static Path write(Path runDir, long step, Map<String, Tensor> tensors, TrainState state, AdapterConfig adapter) {
        Path root = runDir.resolve("checkpoints");
        String name = String.format("step-%08d", step);
        Path target = root.resolve(name);
        Path staging = null;
        Path tmp = null;
        try {
            Files.createDirectories(root);
            staging = Files.createTempDirectory(root, ".staging-" + name);
            SafetensorsWriter.write(staging.resolve(TENSORS), tensors, Map.of("format", "meft-spark"));
            Files.write(staging.resolve(STATE), JSON.writeValueAsBytes(state));
            String sums = sha256(staging.resolve(TENSORS)) + "  " + TENSORS + "\n"
                    + sha256(staging.resolve(STATE)) + "  " + STATE + "\n";
            if (adapter != null) {
                Files.write(staging.resolve(AdapterConfig.FILE), adapter.toJson());
                sums += sha256(staging.resolve(AdapterConfig.FILE)) + "  " + AdapterConfig.FILE + "\n";
                AtomicFiles.force(staging.resolve(AdapterConfig.FILE));
            }
            Files.writeString(staging.resolve(SUMS), sums);
            AtomicFiles.force(staging.resolve(STATE)); // SafetensorsWriter forces its own file
            AtomicFiles.force(staging.resolve(SUMS));
            AtomicFiles.forceDirectory(staging);
            if (Files.exists(target)) {
                deleteTree(target); // the same step written again (a repeated run): replace it whole
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            AtomicFiles.forceDirectory(root);
            tmp = Files.createTempFile(root, ".latest", ".tmp");
            Files.writeString(tmp, name + "\n");
            AtomicFiles.force(tmp);
            Files.move(tmp, root.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            AtomicFiles.forceDirectory(root);
            return target;
        } catch (IOException | SafetensorsException e) {
            // SafetensorsException: SafetensorsWriter reports a failed write (disk full) that way.
            IOException cause = e instanceof IOException io ? io
                    : e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e);
            String cleanup = removeAfterFailure(staging, tmp);
            throw new UncheckedIOException(target + ": cannot write checkpoint: " + e.getMessage()
                    + "; earlier checkpoints and " + root.resolve(LATEST) + " are unchanged" + cleanup, cause);
        }
    }

    /** Best effort: a failed write's staging folder or pointer file; what could not be removed is named. */
    private static String removeAfterFailure(Path staging, Path tmp) {
        StringBuilder left = new StringBuilder();
        for (Path p : new Path[] {staging, tmp}) {
            if (p == null) {
                continue;
            }
            try {
                if (Files.isDirectory(p)) {
                    deleteTree(p);
                } else {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | UncheckedIOException again) {
                left.append(left.isEmpty() ? "" : ", ").append(p);
            }
        }
        return left.isEmpty() ? "" : " (could not remove " + left + "; the next run removes it)";
    }

    /**
     * Removes what a killed writer left in {@code checkpoints/}: {@code .staging-*} folders and
     * {@code .latest*.tmp} files, which no reader ever opens. Call it only when a run (re)starts in
     * {@code runDir}, when no other writer can be active; returns the names removed.
     */
    public static java.util.List<String> removeLeftovers(Path runDir) {
        Path root = runDir.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return java.util.List.of();
        }
        java.util.List<String> removed = new java.util.ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".staging-step-") || (n.startsWith(".latest") && n.endsWith(".tmp"))) {
                    if (Files.isDirectory(p)) {
                        deleteTree(p);
                    } else {
                        Files.delete(p);
                    }
                    removed.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot remove what an interrupted checkpoint write left: " + e.getMessage(), e);
        }
        return removed;
    }

    /** The checkpoint {@code latest} names, if any. */
    public static Optional<Path> latest(Path runDir) {
        Path root = runDir.resolve("checkpoints");
        Path pointer = root.resolve(LATEST);
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        try {
            String name = Files.readString(pointer, java.nio.charset.StandardCharsets.ISO_8859_1).trim();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException(pointer + " is damaged: it should name a step-NNNNNNNN folder but holds '"
                        + printable(name) + "'; point it at an intact checkpoint folder or start a new run");
            }
            Path dir = root.resolve(name);
            if (!Files.exists(dir.resolve(TENSORS)) || !Files.exists(dir.resolve(STATE)) || !Files.exists(dir.resolve(SUMS))) {
                throw new IllegalStateException(pointer + " names " + dir + ", which is incomplete; delete it or start a new run");
            }
            return Optional.of(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
    }

    /**
     * The state.json of a checkpoint. Every field is required: a state without its step or data
     * position would resume from the wrong place silently.
     */
    public static TrainState readState(Path checkpoint) {
        verify(checkpoint, STATE);
        try {
            return JSON.readerFor(TrainState.class).with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .readValue(checkpoint.resolve(STATE).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(checkpoint + ": cannot read " + STATE + ": " + e.getMessage(), e);
        }
    }

    /**
     * The adapter a checkpoint describes ({@code adapter.json}, checked against SHA256SUMS); empty for a
     * checkpoint written before checkpoints described their adapter (before 2026-12-05), which loads only
     * with the run's configuration.
     */
    public static Optional<AdapterConfig> readAdapter(Path checkpoint) {
        if (!Files.exists(checkpoint.resolve(AdapterConfig.FILE))) {
            return Optional.empty();
        }
        verify(checkpoint, AdapterConfig.FILE);
        return Optional.of(AdapterConfig.read(checkpoint.resolve(AdapterConfig.FILE)));
    }

    /** Loads the tensors of a checkpoint and hands them to {@code into} while the file is open. */
    public static void readTensors(Path checkpoint, java.util.function.Consumer<Map<String, Tensor>> into) {
        verify(checkpoint, TENSORS);
        try (SafetensorsFile f = SafetensorsFile.open(checkpoint.resolve(TENSORS))) {
            into.accept(f.loadAll());
        }
    }

    /** Checks one file of a checkpoint against its SHA256SUMS before anything parses it. */
    static void verify(Path checkpoint, String file) {
        Path sums = checkpoint.resolve(SUMS);
        Path target = checkpoint.resolve(file);
        String expected = null;
        try {
            if (!Files.exists(sums)) {
                throw new IllegalStateException(sums + " is missing, so " + target + " cannot be checked; the checkpoint is "
                        + "incomplete or was written before checksums (resume from an intact checkpoint or start a new run)");
            }
            for (String line : Files.readAllLines(sums, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                if (line.endsWith("  " + file) && line.length() == 64 + 2 + file.length()) {
                    expected = line.substring(0, 64);
                }
            }
            if (expected == null) {
                throw new IllegalStateException(sums + " is damaged: it has no well-formed line for " + file
                        + "; the checkpoint cannot be trusted");
            }
            if (!Files.exists(target)) {
                throw new IllegalStateException(target + " is missing; the checkpoint is incomplete");
            }
            String actual = sha256(target);
            if (!actual.equals(expected)) {
                throw new IllegalStateException(target + " is damaged: its SHA-256 is " + actual + " but " + SUMS + " records "
                        + expected + " (" + Files.size(target) + " bytes on disk); nothing was loaded from it. Resume from an "
                        + "earlier checkpoint (point " + checkpoint.getParent().resolve(LATEST) + " at it) or start a new run");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot verify against " + sums + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** A damaged pointer quoted safely: at most 40 characters, control and non-ASCII bytes as \xNN. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.substring(0, Math.min(40, s.length())).toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return s.length() > 40 ? b + "..." : b.toString();
    }

    static void deleteTree(Path dir) throws IOException {
        AtomicFiles.deleteTree(dir);
    }

    /** What to do after the run directory failed: the checkpoint a resume starts from, and where to make room. */
    public static String resumeAdvice(Path runDir) {
        String free = "Free space in " + runDir + " (or make it writable) and run again";
        try {
            return Checkpoints.latest(runDir)
                    .map(p -> free + " with resume: it continues from the last checkpoint, " + p + ", which this failure did not touch")
                    .orElse(free + " without resume: there is no checkpoint yet, so the run starts over");
        } catch (RuntimeException e) {
            return free + "; the latest checkpoint cannot be read (" + e.getMessage() + ")";
        }
    }
}
