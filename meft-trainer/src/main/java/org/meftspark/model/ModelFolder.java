package org.meftspark.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.safetensors.SafetensorsCheckpoint;
import org.meftspark.safetensors.SafetensorsWriter;
import org.meftspark.safetensors.TensorEntry;

/**
 * Reads and writes Hugging Face model folders ({@code config.json} plus {@code model.safetensors}
 * or sharded safetensors with an index). File I/O lives here; the model math does not touch files.
 */
public final class ModelFolder {
    private ModelFolder() {
    }

    /**
     * Loads a frozen decoder. Every tensor name and shape is checked against the config before any
     * weight is read, and all missing, unexpected and mis-shaped tensors are reported in one error.
     *
     * @param dtype compute dtype of the frozen base (weights are converted on load)
     */
    public static Decoder load(Path folder, Device device, ScalarType dtype) {
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(folder)) {
            Map<String, long[]> expected = DecoderWeights.expectedShapes(config);
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                if (!ckpt.names().contains(e.getKey())) {
                    problems.add("missing: " + e.getKey() + " " + Arrays.toString(e.getValue()));
                } else {
                    TensorEntry t = ckpt.entry(e.getKey());
                    if (!Arrays.equals(t.shape(), e.getValue())) {
                        problems.add("wrong shape: " + e.getKey() + " is " + Arrays.toString(t.shape())
                                + ", config needs " + Arrays.toString(e.getValue()));
                    }
                }
            }
            for (String name : ckpt.names()) {
                if (!expected.containsKey(name) && !ignorable(config, name)) {
                    problems.add("unexpected: " + name);
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(folder + ": checkpoint does not match config.json ("
                        + config.architecture() + ", " + config.numHiddenLayers() + " layers):\n  " + String.join("\n  ", problems));
            }
            Map<String, Tensor> named = new LinkedHashMap<>();
            for (String name : expected.keySet()) {
                named.put(name, DecoderWeights.frozen(ckpt.load(name), device, dtype));
            }
            return new Decoder(config, DecoderWeights.fromNamed(config, named));
        }
    }

    /**
     * Tensors HF checkpoints carry that the decoder rightly ignores: a stored copy of a tied head,
     * and the rotary inv_freq buffers older transformers versions saved (they are recomputed).
     */
    private static boolean ignorable(ModelConfig c, String name) {
        return (c.tieWordEmbeddings() && name.equals("lm_head.weight"))
                || name.endsWith(".self_attn.rotary_emb.inv_freq");
    }

    /** Writes config.json and model.safetensors for a decoder, each atomically. */
    public static void save(Decoder decoder, Path folder) {
        try {
            Files.createDirectories(folder);
            SafetensorsWriter.write(folder.resolve(SafetensorsCheckpoint.SINGLE_FILE),
                    decoder.weights().named(decoder.config()), Map.of("format", "pt"));
            Path tmp = Files.createTempFile(folder, ".config", ".tmp");
            Files.writeString(tmp, decoder.config().toJson());
            Files.move(tmp, folder.resolve("config.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(folder + ": cannot write model folder: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a randomly initialised model folder (HF initialisation: Normal(0, 0.02), norms one)
     * from a seed, in the config's torch_dtype; the embedded default model is made this way.
     */
    public static void initRandom(ModelConfig config, long seed, Path folder) {
        ScalarType dtype = BaseModels.dtype(config.torchDtype());
        DecoderWeights w = DecoderWeights.random(config, seed, 0.02, 0.0,
                new Device(org.bytedeco.pytorch.global.torch.DeviceType.CPU), dtype);
        save(new Decoder(config, w), folder);
    }
}
