package org.meftspark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;

/**
 * The configuration a variant of a run was trained with, read back from its run directory
 * ({@code config.yaml} and the {@code --set} overrides in {@code run.json}), for commands that use
 * a trained adapter outside the pipeline ({@code meft generate --adapter}).
 */
final class TrainedVariant {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainedVariant() {
    }

    /** @param variantDir {@code RUN_DIR/variants/NAME} */
    static RunConfig config(Path variantDir) {
        Path variants = variantDir.toAbsolutePath().normalize().getParent();
        if (variants == null || !variants.getFileName().toString().equals("variants") || variants.getParent() == null) {
            throw new IllegalArgumentException("--adapter " + variantDir + ": give a variant folder of a run, "
                    + "RUN_DIR/variants/NAME");
        }
        Path run = variants.getParent();
        String name = variantDir.toAbsolutePath().normalize().getFileName().toString();
        Path config = run.resolve("config.yaml");
        Path runJson = run.resolve("run.json");
        try {
            if (!Files.isRegularFile(config) || !Files.isRegularFile(runJson)) {
                throw new IllegalArgumentException("--adapter " + variantDir + ": " + run + " has no config.yaml and run.json; "
                        + "is it a run directory written by 'meft run' or 'meft quickstart'?");
            }
            List<String> overrides = new ArrayList<>();
            JSON.readTree(runJson.toFile()).path("overrides").forEach(o -> overrides.add(o.asText()));
            List<RunVariant> all = RunConfigLoader.variants(Files.readString(config), config.toString(), overrides);
            List<String> names = new ArrayList<>();
            for (RunVariant v : all) {
                if (v.name().equals(name)) {
                    return v.config();
                }
                names.add(v.name());
            }
            throw new IllegalArgumentException("--adapter " + variantDir + ": the run has no variant '" + name
                    + "'; its variants are " + names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the run directory " + run + ": " + e.getMessage(), e);
        }
    }
}
