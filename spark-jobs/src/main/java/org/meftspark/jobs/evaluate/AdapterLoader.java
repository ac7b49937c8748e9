package org.meftspark.jobs.evaluate;

import java.io.Serializable;
import java.nio.file.Path;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.RunConfig;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderHooks;
import org.meftspark.train.TrainedAdapter;

/**
 * The one seam through which the evaluation job gets an adapter: the frozen decoder and a trained
 * checkpoint (or training directory) in, the {@link DecoderHooks} that apply it out. Runs once per
 * executor JVM (inside the model cache), so it may read large files. Serializable: it travels to
 * executors in the task closure.
 */
@FunctionalInterface
public interface AdapterLoader extends Serializable {

    /** Loads the adapter in {@code dir} (a local folder on the executor) for {@code decoder}. */
    DecoderHooks load(Decoder decoder, ComputeDevice device, Path dir);

    /**
     * The adapter of the run's method, restored by the trainer's own code
     * ({@link TrainedAdapter}) from its checkpoint, in inference mode.
     */
    static AdapterLoader forRun(RunConfig config, String dir) {
        if (config.adapter().method() == AdapterSection.Method.NONE) {
            throw new IllegalArgumentException("--adapter " + dir + " was given but adapter.method is none; "
                    + "set adapter.method to the method the checkpoint was trained with");
        }
        return new OfRun(config);
    }

    /**
     * Loads with the trainer's code under the run's configuration. A record, so the executor's
     * model cache tells loaders of different configurations apart (its key includes this value).
     */
    record OfRun(RunConfig config) implements AdapterLoader {
        @Override
        public DecoderHooks load(Decoder decoder, ComputeDevice device, Path dir) {
            return TrainedAdapter.load(config, dir, decoder, device).hooks();
        }
    }
}
