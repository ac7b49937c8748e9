package org.meftspark.jobs.evaluate;

import java.io.Serializable;
import java.nio.file.Path;
import org.meftspark.config.AdapterSection;
import org.meftspark.model.DecoderHooks;

/**
 * The one seam through which the evaluation job gets an adapter: a trained checkpoint directory in,
 * the {@link DecoderHooks} that apply it out. Runs once per executor JVM (inside the model cache), so
 * an implementation may read large files. Serializable: it travels to executors in the task closure.
 */
@FunctionalInterface
public interface AdapterLoader extends Serializable {

    /** Loads the adapter checkpoint in {@code dir} (a local folder on the executor). */
    DecoderHooks load(Path dir);

    /**
     * The loader of an adaptation method's checkpoints. The MEFT, LoRA and Parallel Adapter
     * checkpoints are defined by the trainer (issue 5), which is not in this build yet; until it is,
     * asking for an adapter fails here, on the driver, before any Spark work, rather than evaluating
     * the base model under an adapter's name.
     *
     * @throws IllegalArgumentException always, for now, naming what to do instead
     */
    static AdapterLoader forMethod(AdapterSection.Method method, String dir) {
        String m = method.name().toLowerCase(java.util.Locale.ROOT);
        if (method == AdapterSection.Method.NONE) {
            throw new IllegalArgumentException("--adapter " + dir + " was given but adapter.method is none; "
                    + "set adapter.method to the method the checkpoint was trained with");
        }
        throw new IllegalArgumentException("--adapter " + dir + ": loading " + m + " adapter checkpoints arrives with "
                + "the trainer (issue 5) and is not in this build; evaluate the base model by leaving out --adapter");
    }
}
