package org.meftspark.train;

import java.util.List;
import org.meftspark.config.AdapterSection;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.Projection;

/**
 * The device bytes the trainer's {@link org.meftspark.device.MemoryLedger} records for a
 * configuration, worked out before anything is allocated (meft-method.md section 5). The study's
 * budget sizing (issue 8, {@link BudgetSizing}) rests on it, and {@code DeviceFootprintTest} holds
 * it equal to the ledger's peak after real training steps of every method.
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

    /**
     * @param a           the adapter configuration
     * @param m           the base model's shape
     * @param weightBytes the base model's weight bytes as loaded ({@code DecoderWeights.bytes()})
     * @param valueBytes  bytes per adapter value (4 for fp32)
     */
    public static DeviceFootprint of(AdapterSection a, ModelConfig m, long weightBytes, int valueBytes) {
        long d = m.hiddenSize();
        long layers = m.numHiddenLayers();
        return switch (a.method()) {
            case NONE -> new DeviceFootprint(weightBytes, 0, 0, 0, 0);
            // Every base weight trains: value, gradient and two moments (section 5: about 16 bytes a parameter).
            case FULL -> new DeviceFootprint(0, weightBytes, weightBytes, 2 * weightBytes, 0);
            case LORA -> trained(weightBytes, layers * a.loraRank() * loraWidth(m, a.loraTargets()) * valueBytes);
            case PARALLEL_ADAPTER -> trained(weightBytes, layers * 2L * a.neurons() * d * valueBytes);
            case MEFT -> {
                long routers = a.routing() == AdapterSection.Routing.KEY_EXPERTS
                        ? layers * AdapterSection.experts(a.neurons(), a.expertFactor()) * d * valueBytes : 0;
                long rows = Math.min(a.unionCap(), a.neurons());
                // keys and values gathered, and a gradient of each (frozen keys have none)
                long perRow = d * valueBytes * ((a.freezeKeys() ? 1 : 2) + 2L);
                yield new DeviceFootprint(weightBytes, routers, routers, 2 * routers, layers * rows * perRow);
            }
        };
    }

    private static DeviceFootprint trained(long frozen, long values) {
        return new DeviceFootprint(frozen, values, values, 2 * values, 0);
    }

    /** Sum of (d_in + d_out) over the adapted projections of one layer: LoRA's A [r, in] and B [out, r]. */
    static long loraWidth(ModelConfig m, List<String> targets) {
        long w = 0;
        for (String t : targets) {
            long[] io = inOut(m, projection(t));
            w += io[0] + io[1];
        }
        return w;
    }

    /** The smallest min(d_in, d_out) over the targets: a LoRA rank above it adds values but no rank. */
    static long maxUsefulLoraRank(ModelConfig m, List<String> targets) {
        long r = Long.MAX_VALUE;
        for (String t : targets) {
            long[] io = inOut(m, projection(t));
            r = Math.min(r, Math.min(io[0], io[1]));
        }
        return r;
    }

    static Projection projection(String target) {
        for (Projection p : Projection.values()) {
            if (p.hfName().endsWith("." + target)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown LoRA target '" + target + "'");
    }

    /** {d_in, d_out} of a projection, as the weights are shaped [out, in]. */
    static long[] inOut(ModelConfig m, Projection p) {
        long d = m.hiddenSize();
        long q = (long) m.numAttentionHeads() * m.headDim();
        long kv = (long) m.numKeyValueHeads() * m.headDim();
        long ffn = m.intermediateSize();
        return switch (p) {
            case Q -> new long[] {d, q};
            case K, V -> new long[] {d, kv};
            case O -> new long[] {q, d};
            case GATE, UP -> new long[] {d, ffn};
            case DOWN -> new long[] {ffn, d};
        };
    }
}
