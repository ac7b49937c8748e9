package org.meftspark.train;

import java.util.Optional;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.ModelSection;
import org.meftspark.meft.HostMemoryPlan;
import org.meftspark.meft.MeftSetup;
import org.meftspark.model.ModelConfig;

/**
 * What one training configuration will hold, worked out from a {@code config.json} alone, before
 * any weight is downloaded or read (issue 19 item 5, {@code meft plan}).
 *
 * <p>The device part is {@link DeviceFootprint}: exactly what the trainer's memory ledger records
 * (frozen weights, trainables, gradients, moments, MEFT's working set), as {@code DeviceFootprintTest}
 * and {@code ModelFamiliesTest} check against real training steps. Activations are not in the
 * ledger (on the CPU there is no allocator to read; on CUDA the ledger reports the caching
 * allocator beside its categories), so they are given apart as an estimate by the formula of
 * {@link #activationBytes}: the tensors autograd keeps for backward with the math attention kernel.
 *
 * @param device                  the ledger-counted device bytes
 * @param activations             estimated activation bytes of one micro-batch, no recomputation
 * @param activationsCheckpointed the same with per-layer recomputation (model.gradient_checkpointing)
 * @param host                    MEFT: the host neuron store with its gradients and moments; empty otherwise
 * @param stagingBytes            MEFT: the pinned staging copies of gathered rows (keys and values, every layer) per micro-batch; 0 otherwise
 */
public record MemoryPlan(DeviceFootprint device, long activations, long activationsCheckpointed,
                         Optional<HostMemoryPlan> host, long stagingBytes) {

    /** Values of every base weight: embedding, per layer 7 projections and 2 norms, final norm, untied head. */
    public static long parameters(ModelConfig m) {
        long d = m.hiddenSize();
        long q = (long) m.numAttentionHeads() * m.headDim();
        long kv = (long) m.numKeyValueHeads() * m.headDim();
        long perLayer = d * q + 2 * d * kv + q * d + 3 * d * m.intermediateSize() + 2 * d;
        long embed = (long) m.vocabSize() * d;
        return m.numHiddenLayers() * perLayer + embed * (m.tieWordEmbeddings() ? 1 : 2) + d;
    }

    /** Bytes of one value of a frozen-weight dtype. */
    public static int bytesPerValue(ModelSection.Dtype dtype) {
        return switch (dtype) {
            case FLOAT32 -> 4;
            case BFLOAT16, FLOAT16 -> 2;
            case FLOAT64 -> 8;
        };
    }

    /** The base weights' bytes once loaded in {@code dtype}: equal to {@code DecoderWeights.bytes()} (a tied head counted once). */
    public static long weightBytes(ModelConfig m, ModelSection.Dtype dtype) {
        return parameters(m) * bytesPerValue(dtype);
    }

    /**
     * @param a          the adapter of the variant
     * @param m          the base model's shape
     * @param model      its dtype (frozen weights and activations are held in it)
     * @param microBatch sequences per forward
     * @param length     tokens per sequence (data.max_length)
     */
    public static MemoryPlan of(AdapterSection a, ModelConfig m, ModelSection.Dtype model, int microBatch, int length) {
        DeviceFootprint f = Adaptations.footprint(a, m, weightBytes(m, model), 4);
        int act = bytesPerValue(model);
        long full = activationBytes(a, m, microBatch, length, act, false);
        long ckpt = activationBytes(a, m, microBatch, length, act, true);
        Optional<HostMemoryPlan> host = MeftSetup.hostPlan(a, m, ScalarType.Float);
        long staging = a.method() == AdapterSection.Method.MEFT
                ? (long) m.numHiddenLayers() * Math.min(a.unionCap(), a.neurons()) * 2L * m.hiddenSize() * 4 : 0;
        return new MemoryPlan(f, full, ckpt, host, staging);
    }

    /**
     * Activation bytes autograd keeps for one micro-batch of {@code b} sequences of {@code t} tokens,
     * an estimate (the standard per-layer accounting of saved tensors, as in Korthikanti et al. 2022,
     * for this decoder's ops). Per token and layer, in elements: the two RMSNorm inputs and outputs
     * (4d), q, k, v before and after the rotation (2(H + 2KV)hd), the attention output (H hd), the
     * softmax probabilities of the math kernel (H t, quadratic in length), gate, up, silu(gate) and
     * their product (4I); then the final norm (2d) and the fp32 logits with their log-softmax (2V, 4
     * bytes each). The adapter adds, per token and layer: MEFT its k gathered activations and
     * weights, the Parallel Adapter its N hidden activations twice, LoRA r per target. With
     * recomputation only each layer's input (d) stays, plus one layer's full set while it is re-run.
     * Not included: optimizer temporaries and allocator fragmentation, which the CUDA allocator shows.
     */
    static long activationBytes(AdapterSection a, ModelConfig m, int b, int t, int bytes, boolean recompute) {
        long d = m.hiddenSize(), hd = m.headDim(), h = m.numAttentionHeads(), kv = m.numKeyValueHeads();
        long perTokenLayer = 4 * d + 2 * (h + 2 * kv) * hd + h * hd + h * (long) t + 4L * m.intermediateSize()
                + adapterPerToken(a, m);
        long tokens = (long) b * t;
        long layer = tokens * perTokenLayer * bytes;
        long head = tokens * (2 * d * bytes + 2L * m.vocabSize() * 4);
        long layers = m.numHiddenLayers();
        return recompute ? tokens * d * bytes * layers + layer + head : layer * layers + head;
    }

    private static long adapterPerToken(AdapterSection a, ModelConfig m) {
        return switch (a.method()) {
            case MEFT -> 2L * a.topK();
            case PARALLEL_ADAPTER -> 2L * a.neurons();
            case LORA -> (long) a.loraRank() * a.loraTargets().size();
            case FULL, NONE -> 0;
        };
    }

    /** Device bytes with the activations of the configured recomputation setting. */
    public long deviceWithActivations(boolean recompute) {
        return device.total() + (recompute ? activationsCheckpointed : activations);
    }

    /** Host bytes: the store (MEFT) plus the staging copies. */
    public long hostBytes() {
        return host.map(HostMemoryPlan::totalBytes).orElse(0L) + stagingBytes;
    }
}
