package org.meftspark.adapters.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.meftspark.io.AtomicFiles;
import org.meftspark.safetensors.SafetensorsException;
import org.meftspark.safetensors.SafetensorsWriter;

/** A LoRA run's export in the PEFT layout ({@code runDir/peft}), written whole or not at all. */
public final class PeftExport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STAGING = ".peft-staging-";
    private static final String OLD = ".peft-old-";

    private PeftExport() {
    }
    /**
     * LoRA in the PEFT layout: adapter_config.json + adapter_model.safetensors under runDir/peft.
     * Both files are written into a hidden staging folder that is renamed to {@code peft} only when
     * whole, so a failed export (disk full) never leaves a {@code peft} folder that looks complete,
     * and its staging folder is removed so the space comes back.
     */
    /** @param resumeAdvice what to run after a failure (the trainer's checkpoint advice) */
    public static void write(Path runDir, LoraHooks lora, String modelPath, java.util.function.Supplier<String> resumeAdvice) {
        Path dir = runDir.resolve("peft");
        Path staging = null;
        Path old = null;
        try {
            staging = Files.createTempDirectory(runDir, STAGING);
            SafetensorsWriter.write(staging.resolve("adapter_model.safetensors"), lora.peftTensors(), Map.of("format", "pt"));
            Path cfg = staging.resolve("adapter_config.json");
            Files.write(cfg, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(lora.peftConfig(modelPath)));
            AtomicFiles.force(cfg); // SafetensorsWriter forces its own file
            AtomicFiles.forceDirectory(staging);
            if (Files.exists(dir)) { // an earlier export of this run (a repeated resume): replaced whole
                old = runDir.resolve(OLD + System.nanoTime());
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | SafetensorsException e) {
            String left = "";
            try {
                if (old != null && !Files.exists(dir) && Files.exists(old)) {
                    Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE); // put the earlier export back
                }
                if (staging != null && Files.exists(staging)) {
                    AtomicFiles.deleteTree(staging);
                }
            } catch (IOException | UncheckedIOException again) {
                left = " (could not remove " + staging + "; the next run removes it)";
            }
            throw new UncheckedIOException(dir + ": cannot export the LoRA adapter in PEFT format: " + e.getMessage()
                    + "; nothing was written to " + dir + " (an earlier export there is unchanged)" + left
                    + ". The trained weights are in the final checkpoint. " + resumeAdvice.get()
                    + " (the export is redone without training again)",
                    e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
        try { // the export is in place; what follows only makes the rename durable and frees the earlier one
            AtomicFiles.forceDirectory(runDir);
            if (old != null) {
                AtomicFiles.deleteTree(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": exported, but " + runDir + " could not be synced or the earlier export "
                    + old + " removed: " + e.getMessage() + "; the next run removes it", e);
        }
    }

    /** What a killed or failed export left in runDir (never read); removed when a run (re)starts there. */
    public static void removeLeftovers(Path runDir) {
        try (java.util.stream.Stream<Path> s = Files.list(runDir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(STAGING) || n.startsWith(OLD) || (n.startsWith(".metrics") && n.endsWith(".tmp"))) {
                    if (n.startsWith(OLD) && !Files.exists(runDir.resolve("peft"))) {
                        Files.move(p, runDir.resolve("peft"), StandardCopyOption.ATOMIC_MOVE); // killed between the two renames
                    } else if (Files.isDirectory(p)) {
                        AtomicFiles.deleteTree(p);
                    } else {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(runDir + ": cannot remove what an interrupted export left: " + e.getMessage(), e);
        }
    }
}
