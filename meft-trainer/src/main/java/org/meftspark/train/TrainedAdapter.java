package org.meftspark.train;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.RunConfig;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;

/**
 * A trained adapter for generation: the method of the run's configuration, restored from one of
 * its checkpoints and switched to inference, ready to be installed as the decoder's hooks.
 */
public final class TrainedAdapter {

    private TrainedAdapter() {
    }

    /**
     * @param config the run configuration the adapter was trained with (method and sizes must match)
     * @param path   a checkpoint folder, or a training run directory (its latest checkpoint is used)
     * @return the restored adaptation; the caller installs {@code hooks()} and closes it
     */
    public static Adaptation load(RunConfig config, Path path, Decoder decoder, ComputeDevice device) {
        Path checkpoint = Files.isRegularFile(path.resolve(Checkpoints.TENSORS)) ? path
                : Checkpoints.latest(path).orElseThrow(() -> new IllegalArgumentException(path
                        + " is neither a checkpoint (" + Checkpoints.TENSORS + ") nor a run directory with checkpoints/"
                        + "latest; train first, or pass the checkpoint folder"));
        String method = Checkpoints.readState(checkpoint).run().method();
        String expected = config.adapter().method().name().toLowerCase(java.util.Locale.ROOT);
        if (!expected.equals(method)) {
            throw new IllegalArgumentException(checkpoint + " holds a '" + method + "' adapter but adapter.method is '"
                    + expected + "'; evaluate it with the configuration it was trained with");
        }
        Adaptation a = Adaptations.create(config.adapter(), config.training(), config.run().seed(), decoder, device,
                ScalarType.Float, null);
        try {
            if (config.adapter().method() != AdapterSection.Method.NONE) {
                Checkpoints.readTensors(checkpoint, a::load);
            }
            a.inference();
            return a;
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }
}
