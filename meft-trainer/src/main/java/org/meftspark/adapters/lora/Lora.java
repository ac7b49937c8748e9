package org.meftspark.adapters.lora;

import java.util.List;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.DeviceAdaptation;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.AdapterSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryLedger;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.Projection;
import org.meftspark.optim.Seeds;

/**
 * LoRA (meft-method.md section 5, a baseline): low-rank A [r, in] and B [out, r] beside each adapted
 * projection, trained on the device by AdamW; exported in the PEFT layout ({@link PeftExport}).
 */
public final class Lora {
    private Lora() {
    }

    /** The trainer's LoRA: A from (seed, 20), B zero, dropout on the input. */
    public static Adaptation create(AdapterSection a, long seed, Decoder decoder, ComputeDevice device, ScalarType dtype,
                                    MemoryLedger ledger) {
        LoraHooks h = new LoraHooks(decoder.config(), decoder.weights(), a.loraTargets(), a.loraRank(), a.loraAlpha(),
                a.loraDropout(), Seeds.derive(seed, 20), device.device(), dtype);
        return new DeviceAdaptation(a.method(), h, h.parameters(), ledger);
    }

    /** The frozen base plus A and B of every adapted projection in every layer. */
    public static DeviceFootprint footprint(AdapterSection a, ModelConfig m, long weightBytes, int valueBytes) {
        return DeviceFootprint.trained(weightBytes, m.numHiddenLayers() * a.loraRank() * width(m, a.loraTargets()) * valueBytes);
    }

    /** Sum of (d_in + d_out) over the adapted projections of one layer: LoRA's A [r, in] and B [out, r]. */
    public static long width(ModelConfig m, List<String> targets) {
        long w = 0;
        for (String t : targets) {
            long[] io = inOut(m, projection(t));
            w += io[0] + io[1];
        }
        return w;
    }

    /** The smallest min(d_in, d_out) over the targets: a LoRA rank above it adds values but no rank. */
    public static long maxUsefulRank(ModelConfig m, List<String> targets) {
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
