package org.meftspark.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Models that need no download: {@code embedded:tiny-llama}, a seeded random LLaMA sized for the
 * built-in byte tokenizer (vocabulary 259: 256 bytes, BOS 256, EOS 257, PAD 258), so the
 * quickstart and the tests train end to end on any machine in seconds.
 */
public final class EmbeddedModels {
    public static final String PREFIX = "embedded:";
    public static final String TINY_LLAMA = "embedded:tiny-llama";
    /** Fixed, so every machine builds the same weights. */
    public static final long TINY_LLAMA_SEED = 20240604L;

    private EmbeddedModels() {
    }

    /**
     * The architecture in conf/models/tiny-llama.json (packaged on the classpath): d = 64, 2 layers,
     * 4 query heads sharing 2 key/value heads, tied head, up to 2048 positions.
     */
    public static ModelConfig tinyLlamaConfig() {
        String resource = "/org/meftspark/model/embedded/tiny-llama.json";
        try (java.io.InputStream in = EmbeddedModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath: rebuild meft-trainer");
            }
            return ModelConfig.parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), resource);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The frozen decoder of an embedded model name. */
    public static Decoder load(String name, Device device, ScalarType dtype) {
        if (!TINY_LLAMA.equals(name)) {
            throw new IllegalArgumentException("unknown embedded model '" + name + "'; the one available is " + TINY_LLAMA);
        }
        ModelConfig c = tinyLlamaConfig();
        return new Decoder(c, DecoderWeights.random(c, TINY_LLAMA_SEED, 0.25, 0.0, device, dtype));
    }
}
