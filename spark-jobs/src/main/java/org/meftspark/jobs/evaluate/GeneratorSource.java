package org.meftspark.jobs.evaluate;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.util.LongAccumulator;
import org.meftspark.config.ModelSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.evaluation.DecodingSettings;
import org.meftspark.evaluation.PredictionGenerator;
import org.meftspark.jobs.preprocess.TokenizerSource;
import org.meftspark.model.DecoderHooks;
import org.meftspark.model.Decoder;
import org.meftspark.model.BaseModels;
import org.meftspark.model.EmbeddedModels;
import org.meftspark.spark.HadoopConf;
import org.meftspark.spark.TaskGpus;

/**
 * Everything an executor needs to build the {@link PredictionGenerator} (model folder, dtype,
 * optional adapter, tokenizer, decoding settings), and the per-JVM cache that builds it once.
 *
 * <p>Model loading dominates small evaluations (and a 7B model does not fit twice in memory), so
 * each executor JVM loads a given model + adapter once and shares it between its tasks; the
 * decoder is not thread-safe, so tasks of one JVM take turns generating ({@link #generate}), while
 * libtorch spreads each batch over the executor's cores.
 *
 * @param model          the model folder as configured (local path or Hadoop URI), or an embedded model
 *                       ({@link EmbeddedModels}: the same seeded weights the trainer adapted)
 * @param dtype          compute dtype of the frozen weights
 * @param adapter        adapter checkpoint folder, or null
 * @param adapterLoader  how to load it, or null without adapter
 * @param tokenizer      the run's tokenizer
 * @param settings       decoding settings
 * @param hadoop         file system settings for remote model and adapter folders
 */
public record GeneratorSource(String model, ModelSection.Dtype dtype, String adapter,
                              AdapterLoader adapterLoader, TokenizerSource tokenizer, DecodingSettings settings,
                              HadoopConf hadoop) implements Serializable {

    private static final Map<String, PredictionGenerator> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    /**
     * Checks on the driver that the model folder exists (or reads the embedded architecture), so a
     * wrong path fails before any task starts.
     */
    public static GeneratorSource resolve(ModelSection m, String adapter, AdapterLoader loader,
                                          TokenizerSource tokenizer, DecodingSettings settings, Configuration conf) {
        if (!m.path().startsWith(EmbeddedModels.PREFIX)) {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(m.path(), "config.json");
            try {
                if (!p.getFileSystem(conf).exists(p)) {
                    throw new IllegalArgumentException("model.path " + m.path() + " holds no config.json: give a Hugging "
                            + "Face model folder (config.json + safetensors) or one of " + EmbeddedModels.NAMES);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("model.path: cannot read " + m.path() + ": " + e.getMessage(), e);
            }
        } else {
            EmbeddedModels.config(m.path()); // fails here, on the driver, for an unknown embedded name
        }
        return new GeneratorSource(m.path(), m.dtype(), adapter, loader, tokenizer, settings, new HadoopConf(conf));
    }

    /** Identifies a loaded generator: the same model, adapter, dtype and settings share one. */
    String key() {
        return model + "|" + (adapter == null ? "" : adapter + "|" + adapterLoader) + "|" + dtype + "|" + settings;
    }

    /** Times a generator was built in this JVM (for tests and the job's load count). */
    public static int loadsInThisJvm() {
        return LOADS.get();
    }

    /** This JVM's generator for this source, built on first use; {@code loads} counts builds across executors. */
    PredictionGenerator get(LongAccumulator loads) {
        return LOADED.computeIfAbsent(key(), k -> {
            LOADS.incrementAndGet();
            if (loads != null) {
                loads.add(1);
            }
            return load();
        });
    }

    /** Runs {@code work} with this JVM's generator, one task at a time (the decoder is not thread-safe). */
    <T> T generate(LongAccumulator loads, java.util.function.Function<PredictionGenerator, T> work) {
        // Loaded outside the scope below: the model's tensors must outlive it.
        PredictionGenerator g = get(loads);
        synchronized (g) {
            // Frees each batch's native tensors when done (platform-notes.md: RSS grows otherwise).
            try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                return work.apply(g);
            }
        }
    }

    private PredictionGenerator load() {
        Integer gpu = TaskContext.get() == null ? null : ComputeDevice.sparkGpuIndex(TaskGpus.assigned());
        ComputeDevice device = ComputeDevice.select(ComputeDevice.Preference.AUTO, gpu);
        // The same frozen base the trainer adapted: embedded models come from EmbeddedModels (fixed seed).
        Decoder decoder = BaseModels.load(model.startsWith(EmbeddedModels.PREFIX) ? model
                : localFolder(model, "model").toString(), device.device(), BaseModels.dtype(dtype));
        DecoderHooks hooks = adapter == null ? null : adapterLoader.load(decoder, device, localFolder(adapter, "adapter"));
        return new PredictionGenerator(decoder, hooks, tokenizer.get(), settings);
    }

    /**
     * A local folder holding {@code path}'s files: the path itself when local, a copy in a temporary
     * folder when on a remote file system.
     */
    private Path localFolder(String path, String what) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            FileSystem fs = p.getFileSystem(hadoop.get());
            if (fs.getScheme().equals("file")) {
                return Path.of(p.toUri().getPath());
            }
            Path dir = Files.createTempDirectory("meft-" + what);
            fs.copyToLocalFile(false, p, new org.apache.hadoop.fs.Path(dir.toUri()), true);
            return dir.resolve(p.getName());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bring the " + what + " folder " + path + " to this executor: "
                    + e.getMessage(), e);
        }
    }

}
