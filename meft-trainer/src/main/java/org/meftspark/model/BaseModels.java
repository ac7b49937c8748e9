package org.meftspark.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.config.ModelSection;
import org.meftspark.device.ComputeDevice;

/**
 * The frozen base that {@code model.path} names: an embedded model ({@code embedded:NAME}) or a
 * Hugging Face folder. The one place that makes this choice and maps a dtype name to libtorch's, for
 * training, evaluation, generation, the study and the command line alike.
 */
public final class BaseModels {
    private BaseModels() {
    }

    /** The base of a run's model section, on a device, in its dtype, with its gradient-checkpointing setting. */
    public static Decoder load(ModelSection m, ComputeDevice device) {
        Decoder d = load(m.path(), device.device(), dtype(m.dtype()));
        d.setRecomputeAll(m.gradientCheckpointing());
        return d;
    }

    /** An embedded model name or a local Hugging Face folder. */
    public static Decoder load(String path, Device device, ScalarType dtype) {
        return path.startsWith(EmbeddedModels.PREFIX) ? EmbeddedModels.load(path, device, dtype)
                : ModelFolder.load(Path.of(path), device, dtype);
    }

    /**
     * The architecture without the weights (for checks before gigabytes are read); empty when a folder
     * has no readable {@code config.json}, in which case {@link #load} says why.
     */
    public static Optional<ModelConfig> config(String path) {
        if (path.startsWith(EmbeddedModels.PREFIX)) {
            return Optional.of(EmbeddedModels.config(path));
        }
        Path json = Path.of(path).resolve("config.json");
        return Files.isRegularFile(json) ? Optional.of(ModelConfig.read(json)) : Optional.empty();
    }

    /** libtorch's dtype for the configuration's. */
    public static ScalarType dtype(ModelSection.Dtype d) {
        return switch (d) {
            case FLOAT32 -> ScalarType.Float;
            case BFLOAT16 -> ScalarType.BFloat16;
            case FLOAT16 -> ScalarType.Half;
            case FLOAT64 -> ScalarType.Double;
        };
    }

    /** libtorch's dtype for a name as config.json's torch_dtype and --dtype write it (float32, bfloat16, ...). */
    public static ScalarType dtype(String name) {
        for (ModelSection.Dtype d : ModelSection.Dtype.values()) {
            if (d.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return dtype(d);
            }
        }
        throw new IllegalArgumentException("dtype " + name + " is not one of float32, bfloat16, float16, float64");
    }
}
