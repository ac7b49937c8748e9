package org.meftspark.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.AdapterConfig;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.RunConfig;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;

/**
 * A trained adapter for generation: rebuilt from what its checkpoint describes ({@code adapter.json}),
 * restored from its tensors and switched to inference, ready to be installed as the decoder's hooks.
 */
public final class TrainedAdapter {

    private TrainedAdapter() {
    }

    /**
     * From the checkpoint's own description, without the run's configuration.
     *
     * @param path a checkpoint folder, or a training run directory (its latest checkpoint is used)
     * @return the restored adaptation; the caller installs {@code hooks()} and closes it
     */
    public static Adaptation load(Path path, Decoder decoder, ComputeDevice device) {
        Path checkpoint = checkpoint(path);
        AdapterConfig written = Checkpoints.readAdapter(checkpoint).orElseThrow(() -> new IllegalArgumentException(
                checkpoint + " was written before checkpoints described their adapter (it has no " + AdapterConfig.FILE
                        + "), so it loads only with its run's configuration: pass the run's configuration (bin/meft "
                        + "generate --adapter RUN_DIR/variants/NAME reads it from the run directory), or convert the "
                        + "checkpoint by resuming its run once with the same configuration and more steps, which writes "
                        + "checkpoints that carry " + AdapterConfig.FILE));
        return restore(written.adapter(), written.seed(), checkpoint, decoder, device, written);
    }

    /**
     * Under the run's configuration: a checkpoint that describes itself must agree with it (refused by
     * name otherwise); one from before {@code adapter.json} is rebuilt from the configuration.
     *
     * @param config the run configuration the adapter was trained with
     * @param path   a checkpoint folder, or a training run directory (its latest checkpoint is used)
     */
    public static Adaptation load(RunConfig config, Path path, Decoder decoder, ComputeDevice device) {
        Path checkpoint = checkpoint(path);
        AdapterConfig expected = AdapterConfig.of(config.adapter(), decoder.config(), config.model().path(),
                config.run().seed());
        Optional<AdapterConfig> written = Checkpoints.readAdapter(checkpoint);
        // A checkpoint from before adapter.json names only its method (in state.json).
        String method = written.map(AdapterConfig::method).orElseGet(() -> Checkpoints.readState(checkpoint).run().method());
        if (!expected.method().equals(method)) {
            throw new IllegalArgumentException(checkpoint + " holds a '" + method + "' adapter but adapter.method is '"
                    + expected.method() + "'; evaluate it with the configuration it was trained with");
        }
        written.ifPresent(w -> requireSame(checkpoint, w, expected, "the configuration"));
        return restore(config.adapter(), config.run().seed(), checkpoint, decoder, device, expected);
    }

    private static Path checkpoint(Path path) {
        return Files.isRegularFile(path.resolve(Checkpoints.TENSORS)) ? path
                : Checkpoints.latest(path).orElseThrow(() -> new IllegalArgumentException(path
                        + " is neither a checkpoint (" + Checkpoints.TENSORS + ") nor a run directory with checkpoints/"
                        + "latest; train first, or pass the checkpoint folder"));
    }

    private static void requireSame(Path checkpoint, AdapterConfig written, AdapterConfig other, String what) {
        List<String> d = written.differences(other);
        if (!d.isEmpty()) {
            throw new IllegalArgumentException(checkpoint + " holds an adapter that " + what + " does not describe "
                    + "(checkpoint vs " + what + ": " + String.join("; ", d) + "); use the settings it was trained with");
        }
    }

    private static Adaptation restore(AdapterSection a, long seed, Path checkpoint, Decoder decoder, ComputeDevice device,
                                      AdapterConfig expected) {
        // The base must have the shape the adapter was trained on; its tensors would not fit otherwise.
        requireSame(checkpoint, expected, AdapterConfig.of(a, decoder.config(), expected.baseModel(), seed), "the base model");
        Adaptation adaptation = Adaptations.create(a, RunConfig.defaults().training(), seed, decoder, device,
                ScalarType.Float, null);
        try {
            if (a.method() != AdapterSection.Method.NONE) {
                Checkpoints.readTensors(checkpoint, adaptation::load);
            }
            adaptation.inference();
            return adaptation;
        } catch (RuntimeException e) {
            adaptation.close();
            throw e;
        }
    }
}
