package org.meftspark.cli;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a model folder. */
final class ModelOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face model folder (config.json + safetensors), or embedded:world-base / embedded:tiny-llama.")
    String model;

    @Option(names = "--dtype", defaultValue = "float32",
            description = "Compute dtype: float32, bfloat16, float16 or float64 (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--device", defaultValue = "auto",
            description = "auto (CUDA when the gpu build finds one), cpu or cuda (default ${DEFAULT-VALUE}).")
    String device;

    Decoder load() {
        if (model == null) {
            throw new IllegalArgumentException("give the model: --model DIR (or embedded:world-base)");
        }
        return load(model);
    }

    /** Loads {@code path}, a folder or an embedded name, with these options' device and dtype. */
    Decoder load(String path) {
        return org.meftspark.model.EmbeddedModels.loadPath(path, computeDevice().device(), scalarType(dtype));
    }

    ComputeDevice computeDevice() {
        return ComputeDevice.select(ComputeDevice.Preference.parse(device), null);
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
