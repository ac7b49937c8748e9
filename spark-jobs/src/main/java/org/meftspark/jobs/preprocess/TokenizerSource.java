package org.meftspark.jobs.preprocess;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.meftspark.hash.Sha256;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.HfTokenizer;
import org.meftspark.tokenize.Tokenizer;

/**
 * The run's tokenizer in a form that travels to executors: the built-in byte tokenizer, or the
 * bytes of {@code tokenizer.json} and {@code tokenizer_config.json}, read once by the driver
 * (from any Hadoop path), so executors need no access to the driver's files. Each JVM builds
 * the tokenizer once per distinct file content and shares it between its tasks (DJL's Rust
 * tokenizer encodes concurrently; loading the Mistral file takes about a second).
 */
public final class TokenizerSource implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    private final byte[] tokenizerJson;
    private final byte[] tokenizerConfig;
    private final String key;

    private TokenizerSource(byte[] tokenizerJson, byte[] tokenizerConfig, String key) {
        this.tokenizerJson = tokenizerJson;
        this.tokenizerConfig = tokenizerConfig;
        this.key = key;
    }

    /**
     * Reads the tokenizer named by {@code model.tokenizer}: {@code byte}, a {@code tokenizer.json}
     * path, or the directory holding it (with {@code tokenizer_config.json} next to it).
     */
    public static TokenizerSource resolve(String spec, Configuration conf) {
        if (spec.equals("byte")) {
            return new TokenizerSource(null, null, ByteTokenizer.FINGERPRINT);
        }
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(spec);
        try {
            FileSystem fs = p.getFileSystem(conf);
            org.apache.hadoop.fs.Path dir = fs.exists(p) && fs.getFileStatus(p).isDirectory() ? p : p.getParent();
            byte[] json = readAll(fs, new org.apache.hadoop.fs.Path(dir, "tokenizer.json"));
            byte[] config = readAll(fs, new org.apache.hadoop.fs.Path(dir, "tokenizer_config.json"));
            return new TokenizerSource(json, config, Sha256.hex(json) + "/" + Sha256.hex(config));
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("model.tokenizer: " + e.getMessage() + " is missing; give 'byte' or a "
                    + "Hugging Face tokenizer.json whose folder also holds tokenizer_config.json", e);
        } catch (IOException e) {
            throw new UncheckedIOException("model.tokenizer: cannot read " + spec + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(FileSystem fs, org.apache.hadoop.fs.Path p) throws IOException {
        if (!fs.exists(p)) {
            throw new FileNotFoundException(p.toString());
        }
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    /** This JVM's tokenizer for this source (built on first use, then shared; never closed). */
    public Tokenizer get() {
        return LOADED.computeIfAbsent(key, k -> tokenizerJson == null ? new ByteTokenizer() : load());
    }

    private Tokenizer load() {
        Path dir = null;
        try {
            // HfTokenizer reads a directory; the files live there only while it loads.
            dir = Files.createTempDirectory("meft-tokenizer");
            Files.write(dir.resolve("tokenizer.json"), tokenizerJson);
            Files.write(dir.resolve("tokenizer_config.json"), tokenizerConfig);
            return HfTokenizer.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the tokenizer files in a temporary directory", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp folder is harmless; the tokenizer is already loaded.
        }
    }
}
