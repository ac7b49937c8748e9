package org.meftspark.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Models that need no download, both for the built-in byte tokenizer (vocabulary 259: 256 bytes,
 * BOS 256, EOS 257, PAD 258):
 * <ul>
 *   <li>{@code embedded:world-base}, the default: a 4-layer LLaMA pretrained by the project on a
 *       generated world (issue 15; recipe and sha256 in conf/models/world-base/README.md). It knows
 *       the language and facts of W0 and the four task formats; the quickstart and the study teach it
 *       the facts of W1, which it has never seen.</li>
 *   <li>{@code embedded:tiny-llama}: a seeded random 2-layer LLaMA (d = 64) that trains end to end
 *       in seconds: for fast tests of the machinery, not for answers.</li>
 * </ul>
 * The pretrained folder is packaged on the classpath from conf/models (one definition); when the
 * classpath is a jar it is copied once to a cache folder, since safetensors are memory-mapped files.
 */
public final class EmbeddedModels {
    public static final String PREFIX = "embedded:";
    public static final String TINY_LLAMA = "embedded:tiny-llama";
    public static final String WORLD_BASE = "embedded:world-base";
    /** Every embedded name, the default first. */
    public static final List<String> NAMES = List.of(WORLD_BASE, TINY_LLAMA);
    /** Fixed, so every machine builds the same weights. */
    public static final long TINY_LLAMA_SEED = 20240604L;

    private static final String RESOURCES = "/org/meftspark/model/embedded/";
    /** The files of the pretrained folder, as committed under conf/models/world-base. */
    private static final List<String> WORLD_BASE_FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "generation_config.json", "pretrain.json");

    private EmbeddedModels() {
    }

    /**
     * The architecture in conf/models/tiny-llama.json (packaged on the classpath): d = 64, 2 layers,
     * 4 query heads sharing 2 key/value heads, tied head, up to 2048 positions.
     */
    public static ModelConfig tinyLlamaConfig() {
        String resource = RESOURCES + "tiny-llama.json";
        try (InputStream in = EmbeddedModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath: rebuild meft-trainer");
            }
            return ModelConfig.parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The architecture of an embedded model, without loading its weights. */
    public static ModelConfig config(String name) {
        return switch (known(name)) {
            case TINY_LLAMA -> tinyLlamaConfig();
            default -> ModelConfig.read(folder(name).resolve("config.json"));
        };
    }

    /** The frozen decoder of an embedded model name. */
    public static Decoder load(String name, Device device, ScalarType dtype) {
        if (known(name).equals(TINY_LLAMA)) {
            ModelConfig c = tinyLlamaConfig();
            return new Decoder(c, DecoderWeights.random(c, TINY_LLAMA_SEED, 0.25, 0.0, device, dtype));
        }
        return ModelFolder.load(folder(name), device, dtype);
    }

    /** Refuses a name that is not embedded, with the list of those that are. */
    public static String known(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown embedded model '" + name + "'; the embedded models are "
                    + String.join(", ", NAMES));
        }
        return name;
    }

    /**
     * The model folder of a pretrained embedded model: the classpath folder itself when the classes are
     * a directory (a build tree), else a copy in {@code java.io.tmpdir/meft-embedded/} made once.
     */
    public static Path folder(String name) {
        if (!known(name).equals(WORLD_BASE)) {
            throw new IllegalArgumentException(name + " is generated from a seed and has no folder; use load()");
        }
        String dir = RESOURCES + "world-base/";
        URL url = EmbeddedModels.class.getResource(dir + "config.json");
        if (url == null) {
            throw new IllegalStateException(dir + " is missing from the classpath: rebuild meft-trainer (mvn package)");
        }
        try {
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI()).getParent();
            }
            return extract(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + name + " from the classpath: " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url + ": " + e.getMessage(), e);
        }
    }

    private static Path extract(String dir) throws IOException {
        Path out = Path.of(System.getProperty("java.io.tmpdir"), "meft-embedded", "world-base-" + pretrainSha(dir));
        if (Files.isRegularFile(out.resolve("pretrain.json"))) {
            return out; // written last, so a present pretrain.json means a complete copy
        }
        Files.createDirectories(out);
        for (String f : WORLD_BASE_FILES) {
            try (InputStream in = EmbeddedModels.class.getResourceAsStream(dir + f)) {
                if (in == null) {
                    throw new IOException(dir + f + " is missing from the classpath");
                }
                Path tmp = Files.createTempFile(out, "." + f, ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, out.resolve(f), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return out;
    }

    /** A short hash of the packaged pretrain.json (it names the weights' sha256): a new base gets a new cache folder. */
    private static String pretrainSha(String dir) throws IOException {
        try (InputStream in = EmbeddedModels.class.getResourceAsStream(dir + "pretrain.json")) {
            if (in == null) {
                throw new IOException(dir + "pretrain.json is missing from the classpath");
            }
            return org.meftspark.hash.Sha256.hex(in.readAllBytes()).substring(0, 16);
        }
    }
}
