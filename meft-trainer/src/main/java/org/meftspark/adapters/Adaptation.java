package org.meftspark.adapters;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.config.AdapterSection;
import org.meftspark.distributed.DataParallel;
import org.meftspark.distributed.ExchangeStats;
import org.meftspark.meft.MeftAdaptation;
import org.meftspark.meft.MeftStepStats;
import org.meftspark.model.DecoderHooks;
import org.meftspark.optim.AdamWMath;

/**
 * One adaptation method in the trainer (the {@code adapter.method} switch): what it adds to the
 * frozen decoder, what it trains and how it updates. MEFT keeps its adapter on the host
 * ({@link MeftAdaptation}); LoRA, the dense Parallel Adapter, full fine-tuning and "none" keep
 * their trainables on the device ({@link DeviceAdaptation}).
 */
public interface Adaptation extends AutoCloseable {

    AdapterSection.Method method();

    /** The hooks to install in the decoder. */
    DecoderHooks hooks();

    /** Called before each micro-batch's forward (MEFT seeds its cap subsets from these). */
    void beginMicroBatch(long step, int microBatch);

    /** Called after each micro-batch's backward (MEFT moves gathered gradients to the host). */
    void afterBackward();

    /**
     * Sums this step's accumulated gradients over the ranks of a data-parallel run, in place, before the
     * norm and the update (issue 17); called only when there are several ranks.
     */
    ExchangeStats allReduceGradients(DataParallel dp);

    /** Squared global L2 norm of the step's accumulated gradients. */
    double gradNormSquared();

    /** Applies one optimizer step with gradients scaled by {@code gradScale}, then clears the gradients. */
    void step(AdamWMath.Hyper hyper, double gradScale);

    /** Clears the step's gradients without updating (a skipped NaN/Inf step). */
    void discardGradients();

    /** Trainable parameters and optimizer state by name, for checkpoints. */
    Map<String, Tensor> state();

    /** Restores {@link #state()}. */
    void load(Map<String, Tensor> state);

    /** MEFT's quantities of the step just done (and resets its per-step counters); empty for other methods. */
    default java.util.Optional<MeftStepStats> takeStepStats() {
        return java.util.Optional.empty();
    }

    /** Number of trainable scalars (host and device). */
    long trainableParameters();

    /** Host bytes held by the method's state outside the device (MEFT's store; 0 otherwise). */
    long hostBytes();

    /** Switches to inference (generation after training): no caching, no gradients. */
    default void inference() {
    }

    @Override
    default void close() {
    }
}
