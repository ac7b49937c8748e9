package org.meftspark.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelFolder;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a model folder. */
final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (config.json + safetensors).")
    Path model;

    @Option(names = "--dtype", defaultValue = "float32",
            description = "Compute dtype: float32, bfloat16, float16 or float64 (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--device", defaultValue = "auto",
            description = "auto (CUDA when the gpu build finds one), cpu or cuda (default ${DEFAULT-VALUE}).")
    String device;

    Decoder load() {
        ComputeDevice d = ComputeDevice.select(ComputeDevice.Preference.parse(device), null);
        return ModelFolder.load(model, d.device(), scalarType(dtype));
    }

    static ScalarType scalarType(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "float32" -> ScalarType.Float;
            case "bfloat16" -> ScalarType.BFloat16;
            case "float16" -> ScalarType.Half;
            case "float64" -> ScalarType.Double;
            default -> throw new IllegalArgumentException("--dtype " + name
                    + " is not one of float32, bfloat16, float16, float64");
        };
    }
}
