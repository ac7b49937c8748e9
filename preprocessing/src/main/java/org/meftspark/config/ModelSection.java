package org.meftspark.config;

import java.util.List;

/**
 * The frozen base model and its tokenizer.
 *
 * @param path                  Hugging Face model folder (config.json + safetensors), or
 *                              {@code embedded:world-base} (the pretrained default) or {@code embedded:tiny-llama}
 *                              (seeded random, for fast tests)
 * @param tokenizer             {@code model} for the model's own (its folder's tokenizer.json; the byte tokenizer for
 *                              embedded:tiny-llama), {@code byte} for the built-in byte-level tokenizer, or a
 *                              tokenizer.json path
 * @param dtype                 dtype of the frozen weights on the compute device
 * @param gradientCheckpointing recompute each layer's activations in backward (less device memory, more compute)
 */
public record ModelSection(String path, String tokenizer, Dtype dtype, boolean gradientCheckpointing) implements java.io.Serializable {

    /** Floating-point formats the frozen base can be held in. */
    public enum Dtype { FLOAT32, BFLOAT16, FLOAT16, FLOAT64 }

    public static final Key<String> PATH = Key.string("path", "embedded:world-base", ".+",
            "a model folder, embedded:world-base or embedded:tiny-llama",
            "Hugging Face LLaMA/Mistral folder; embedded:world-base (the project's pretrained 4-layer base) or "
                    + "embedded:tiny-llama (seeded random, for fast tests); neither needs a download.");
    public static final Key<String> TOKENIZER = Key.string("tokenizer", "model", ".+",
            "'model', 'byte' or a tokenizer.json path",
            "'model': the model's own tokenizer (the tokenizer.json in model.path's folder; embedded:world-base brings its "
                    + "BPE, embedded:tiny-llama uses the byte tokenizer). 'byte': the built-in byte-level tokenizer. "
                    + "Otherwise a Hugging Face tokenizer.json or the folder holding it.");
    public static final Key<Dtype> DTYPE = Key.choice("dtype", Dtype.class, Dtype.FLOAT32,
            "Dtype of the frozen weights; bfloat16 halves device memory on GPUs.");
    public static final Key<Boolean> GRADIENT_CHECKPOINTING = Key.bool("gradient_checkpointing", false,
            "Recompute layer activations in the backward pass to save device memory.");

    public static final Section<ModelSection> SECTION = new Section<>("model",
            "The frozen base model and tokenizer.", List.of(PATH, TOKENIZER, DTYPE, GRADIENT_CHECKPOINTING),
            v -> new ModelSection(v.get(PATH), v.get(TOKENIZER), v.get(DTYPE), v.get(GRADIENT_CHECKPOINTING)));
}
