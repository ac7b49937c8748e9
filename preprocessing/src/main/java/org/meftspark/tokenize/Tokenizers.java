package org.meftspark.tokenize;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the tokenizer a configuration or command line names ({@code model.tokenizer}). */
public final class Tokenizers {

    /** The name of the built-in byte-level tokenizer. */
    public static final String BYTE = "byte";

    private Tokenizers() {
    }

    /**
     * {@code byte} gives the built-in {@link ByteTokenizer}; anything else is a Hugging Face
     * tokenizer: a {@code tokenizer.json} file or the directory holding it (with its
     * {@code tokenizer_config.json}).
     */
    public static Tokenizer open(String spec) {
        if (spec.equals(BYTE)) {
            return new ByteTokenizer();
        }
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) {
            Path parent = p.toAbsolutePath().getParent();
            return HfTokenizer.load(parent);
        }
        if (Files.isDirectory(p)) {
            return HfTokenizer.load(p);
        }
        throw new IllegalArgumentException("tokenizer '" + spec + "' is neither 'byte' nor an existing tokenizer.json "
                + "or directory holding one");
    }
}
