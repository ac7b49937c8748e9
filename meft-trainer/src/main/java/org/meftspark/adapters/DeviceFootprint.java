package org.meftspark.adapters;

/**
 * The device bytes the trainer's {@link org.meftspark.device.MemoryLedger} records for a
 * configuration, worked out before anything is allocated (meft-method.md section 5). Each method's
 * package computes its own ({@code Lora}, {@code ParallelAdapter}, {@code MeftSetup}, {@code FullFineTuning});
 * the study's budget sizing (issue 8, {@code BudgetSizing}) rests on them, and {@code DeviceFootprintTest}
 * holds them equal to the ledger's peak after real training steps of every method.
 *
 * <p>Not included, as in the ledger: activations (on the CPU there is no allocator to read; on
 * CUDA the ledger reports the caching allocator beside these categories). They depend on the
 * batch, which the study keeps the same for every method.
 *
 * @param frozenWeights  base weights that are not trained (0 for full fine-tuning, whose weights are trainable)
 * @param trainable      trainable values resident on the device
 * @param gradients      their gradients
 * @param optimizerState AdamW's two moments of every trainable value
 * @param workingSet     MEFT only: the rows gathered at the union cap L, in every layer at once, with
 *                       their gradients (section 3); its peak, since a micro-batch may gather fewer
 */
public record DeviceFootprint(long frozenWeights, long trainable, long gradients, long optimizerState,
                              long workingSet) {

    /** Everything the ledger counts. */
    public long total() {
        return frozenWeights + trainable + gradients + optimizerState + workingSet;
    }

    /** Nothing trained: the frozen base alone (zero-shot). */
    public static DeviceFootprint frozenOnly(long weightBytes) {
        return new DeviceFootprint(weightBytes, 0, 0, 0, 0);
    }

    /** A device-resident adapter of {@code values} bytes beside the frozen base: values, gradients, two AdamW moments. */
    public static DeviceFootprint trained(long frozen, long values) {
        return new DeviceFootprint(frozen, values, values, 2 * values, 0);
    }
}
