package org.meftspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.safetensors.SafetensorsFile;
import org.meftspark.safetensors.SafetensorsWriter;

/**
 * Checkpoints under {@code runDir/checkpoints/step-NNNNNNNN/}: {@code trainable.safetensors} (the
 * method's parameters and optimizer state) and {@code state.json} (step, data position, counters).
 * A checkpoint is assembled in a hidden staging folder and renamed into place, then
 * {@code checkpoints/latest} is replaced atomically: a crash never leaves a half checkpoint that a
 * resume would pick up. RNG state needs no saving: every draw is seeded from (run seed, position).
 */
public final class Checkpoints {
    static final String TENSORS = "trainable.safetensors";
    static final String STATE = "state.json";
    static final String LATEST = "latest";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoints() {
    }

    /** Writes a checkpoint and points {@code latest} at it; returns its folder. */
    public static Path write(Path runDir, long step, Map<String, Tensor> tensors, Map<String, Object> state) {
        Path root = runDir.resolve("checkpoints");
        String name = String.format("step-%08d", step);
        Path target = root.resolve(name);
        try {
            Files.createDirectories(root);
            Path staging = Files.createTempDirectory(root, ".staging-" + name);
            SafetensorsWriter.write(staging.resolve(TENSORS), tensors, Map.of("format", "meft-spark"));
            Files.write(staging.resolve(STATE), JSON.writeValueAsBytes(state));
            if (Files.exists(target)) {
                deleteTree(target); // the same step written again (a repeated run): replace it whole
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            Path tmp = Files.createTempFile(root, ".latest", ".tmp");
            Files.writeString(tmp, name + "\n");
            Files.move(tmp, root.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    /** The checkpoint {@code latest} names, if any. */
    public static Optional<Path> latest(Path runDir) {
        Path root = runDir.resolve("checkpoints");
        Path pointer = root.resolve(LATEST);
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        try {
            Path dir = root.resolve(Files.readString(pointer).trim());
            if (!Files.exists(dir.resolve(TENSORS)) || !Files.exists(dir.resolve(STATE))) {
                throw new IllegalStateException(pointer + " names " + dir + ", which is incomplete; delete it or start a new run");
            }
            return Optional.of(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
    }

    /** The state.json of a checkpoint. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readState(Path checkpoint) {
        try {
            return JSON.readValue(checkpoint.resolve(STATE).toFile(), LinkedHashMap.class);
        } catch (IOException e) {
            throw new UncheckedIOException(checkpoint + ": cannot read " + STATE + ": " + e.getMessage(), e);
        }
    }

    /** Loads the tensors of a checkpoint and hands them to {@code into} while the file is open. */
    public static void readTensors(Path checkpoint, java.util.function.Consumer<Map<String, Tensor>> into) {
        try (SafetensorsFile f = SafetensorsFile.open(checkpoint.resolve(TENSORS))) {
            into.accept(f.loadAll());
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
