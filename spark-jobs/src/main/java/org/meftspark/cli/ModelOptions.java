package org.meftspark.cli;

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
        return org.meftspark.model.BaseModels.load(path, computeDevice().device(), scalarType(dtype));
    }

    ComputeDevice computeDevice() {
        return ComputeDevice.select(ComputeDevice.Preference.parse(device), null);
    }

    static ScalarType scalarType(String name) {
        try {
            return org.meftspark.model.BaseModels.dtype(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage());
        }
    }
}
