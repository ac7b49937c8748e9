package org.meftspark.model;

import org.meftspark.config.ModelSection;
import org.meftspark.tokenize.Tokenizers;

/**
 * The tokenizer that {@code model.tokenizer: model} (the default) stands for: the one that belongs
 * to {@code model.path}, as {@code AutoTokenizer.from_pretrained(path)} would take it. An embedded
 * pretrained base brings its own files (embedded:world-base learned a BPE from its corpus), the
 * seeded random {@code embedded:tiny-llama} uses the built-in byte tokenizer, and a Hugging Face
 * folder its own {@code tokenizer.json}. Any other value of {@code model.tokenizer} is taken as given.
 */
public final class ModelTokenizer {
    /** The value of {@code model.tokenizer} that means "the model's own". */
    public static final String MODEL = "model";

    private ModelTokenizer() {
    }

    /** {@code byte} or the path of a tokenizer.json or its folder, for {@link Tokenizers#open} and the jobs. */
    public static String spec(ModelSection model) {
        return spec(model.path(), model.tokenizer());
    }

    /** As {@link #spec(ModelSection)}, for a model path and a {@code model.tokenizer} value. */
    public static String spec(String modelPath, String tokenizer) {
        if (!tokenizer.equals(MODEL)) {
            return tokenizer;
        }
        if (modelPath.startsWith(EmbeddedModels.PREFIX)) {
            return EmbeddedModels.known(modelPath).equals(EmbeddedModels.TINY_LLAMA) ? Tokenizers.BYTE
                    : EmbeddedModels.folder(modelPath).toString();
        }
        return modelPath;
    }
}
