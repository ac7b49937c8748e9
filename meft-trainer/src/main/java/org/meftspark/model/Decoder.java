package org.meftspark.model;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.Arrays;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;
import org.bytedeco.pytorch.TensorVector;

/**
 * A LLaMA / Mistral decoder over frozen weights (HF LlamaForCausalLM / MistralForCausalLM):
 * embedding, per layer {@code h += Attn(RMSNorm(h)); h += FFN(RMSNorm(h))}, final RMSNorm, LM head.
 *
 * <p>Adapters take part through {@link DecoderHooks}. Per layer, activation recomputation
 * (gradient checkpointing) can be switched on: the layer then runs without keeping its
 * intermediate activations and is run again during backward, trading compute for device memory.
 */
public final class Decoder {
    private final ModelConfig config;
    private final DecoderWeights weights;
    private DecoderHooks hooks = DecoderHooks.NONE;
    /** per layer: recompute activations in backward instead of storing them */
    private final boolean[] recompute;
    private final java.util.List<RecomputeHook> pendingHooks =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    public Decoder(ModelConfig config, DecoderWeights weights) {
        if (weights.layers.size() != config.numHiddenLayers()) {
            throw new IllegalArgumentException("weights have " + weights.layers.size() + " layers, config " + config.numHiddenLayers());
        }
        this.config = config;
        this.weights = weights;
        this.recompute = new boolean[config.numHiddenLayers()];
    }

    public ModelConfig config() {
        return config;
    }

    public DecoderWeights weights() {
        return weights;
    }

    public DecoderHooks hooks() {
        return hooks;
    }

    public void setHooks(DecoderHooks hooks) {
        this.hooks = hooks == null ? DecoderHooks.NONE : hooks;
    }

    /** Switches activation recomputation on or off for every layer. */
    public void setRecomputeAll(boolean on) {
        Arrays.fill(recompute, on);
    }

    public void setRecompute(int layer, boolean on) {
        recompute[layer] = on;
    }

    /** Logits for every position of right-aligned, unpadded sequences. tokens [B, T] int64 -> [B, T, V]. */
    public Tensor forward(Tensor tokens) {
        return forward(tokens, null, null);
    }

    /**
     * @param tokens [B, T] int64, the new tokens
     * @param valid  [B, T] bool, false at (left) padding; null when there is none
     * @param cache  keys/values of earlier slots, extended in place; null for a stand-alone pass
     * @return logits [B, T, V] in the weights' dtype
     */
    public Tensor forward(Tensor tokens, Tensor valid, KvCache cache) {
        return logits(hidden(tokens, valid, cache));
    }

    /** LM head over final hidden states [B, T, d] -> [B, T, V]. */
    public Tensor logits(Tensor hidden) {
        return DecoderMath.linearNoBias(hidden, weights.lmHead);
    }

    /** Final hidden states after the last RMSNorm, [B, T, d]. */
    public Tensor hidden(Tensor tokens, Tensor valid, KvCache cache) {
        long b = tokens.size(0), t = tokens.size(1);
        if (valid == null) {
            valid = ones_like(tokens).to(ScalarType.Bool);
        }
        long past = cache == null ? 0 : cache.length();
        Tensor validLong = valid.to(ScalarType.Long);
        Tensor startPos = cache == null || cache.nextPosition() == null
                ? zeros_like(validLong.select(1, 0)) : cache.nextPosition(); // [B]
        // HF generate: position_ids = cumsum(attention_mask) - 1, so padding does not shift positions.
        Tensor positions = validLong.cumsum(1).sub(new Scalar(1)).add(startPos.unsqueeze(1)).clamp_min(new Scalar(0)); // [B, T]
        long maxPos = positions.numel() == 0 ? 0 : positions.max().item_long();
        if (maxPos >= config.positionLimit()) {
            throw new IllegalArgumentException("position " + maxPos + " exceeds the model's " + config.positionLimit()
                    + " positions (max_position_embeddings " + config.maxPositionEmbeddings()
                    + (config.positionLimit() != config.maxPositionEmbeddings() ? " stretched by rope_scaling" : "") + ")");
        }
        Tensor keyValid = cache == null || cache.keyValid() == null ? valid : cat(new TensorVector(cache.keyValid(), valid), 1); // [B, S]
        int window = config.slidingWindow().orElse(0);
        Tensor mask = DecoderMath.plainCausal(keyValid, past, t, window)
                ? null : DecoderMath.attentionMask(keyValid, past, t, window); // [B, 1, T, S], or null: plain causal
        ScalarType dtype = weights.embed.scalar_type().intern();
        // Dynamic NTK depends on the longest sequence of this forward, cached slots included.
        double[] invFreq = config.ropeScaling().inverseFrequencies(config.headDim(), config.ropeTheta(), maxPos + 1,
                config.maxPositionEmbeddings());
        Tensor[] cs = DecoderMath.rotaryCosSin(positions, invFreq, dtype);
        LayerContext ctx = new LayerContext(mask, cs[0], cs[1], cache, b, t);

        Tensor h = embedding(weights.embed, tokens); // [B, T, d]
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            h = recompute[l] && cache == null && GradMode.is_enabled()
                    ? recomputedLayer(l, h, ctx) : layer(l, h, ctx);
        }
        if (cache != null) {
            cache.commit(keyValid, startPos.add(validLong.sum(new long[] {1}, false, new ScalarTypeOptional())));
        }
        return DecoderMath.rmsNorm(h, weights.finalNorm, config.rmsNormEps());
    }

    /** Per-forward tensors every layer shares. mask [B,1,T,S] or null (plain causal); cos, sin [B,1,T,hd]. */
    private record LayerContext(Tensor mask, Tensor cos, Tensor sin, KvCache cache, long batch, long tokens) {
    }

    private Tensor project(int l, Projection p, Tensor x) {
        return hooks.projection(l, p, x, DecoderMath.linearNoBias(x, weights.layers.get(l).weight(p)));
    }

    /** One decoder layer: h [B, T, d] -> [B, T, d]. */
    private Tensor layer(int l, Tensor h, LayerContext c) {
        LayerWeights w = weights.layers.get(l);
        int hd = config.headDim();
        Tensor x = DecoderMath.rmsNorm(h, w.inputNorm(), config.rmsNormEps());
        Tensor q = project(l, Projection.Q, x).view(c.batch, c.tokens, config.numAttentionHeads(), hd).transpose(1, 2); // [B, H, T, hd]
        Tensor k = project(l, Projection.K, x).view(c.batch, c.tokens, config.numKeyValueHeads(), hd).transpose(1, 2); // [B, KV, T, hd]
        Tensor v = project(l, Projection.V, x).view(c.batch, c.tokens, config.numKeyValueHeads(), hd).transpose(1, 2); // [B, KV, T, hd]
        q = DecoderMath.applyRotary(q, c.cos, c.sin);
        k = DecoderMath.applyRotary(k, c.cos, c.sin);
        if (c.cache != null) {
            Tensor[] kv = c.cache.append(l, k, v);
            k = kv[0];
            v = kv[1];
        }
        Tensor a = DecoderMath.attention(q, k, v, c.mask) // [B, H, T, hd]
                .transpose(1, 2).reshape(c.batch, c.tokens, (long) config.numAttentionHeads() * hd);
        h = h.add(project(l, Projection.O, a));
        Tensor x2 = DecoderMath.rmsNorm(h, w.postNorm(), config.rmsNormEps()); // FFN input
        Tensor f = project(l, Projection.DOWN,
                DecoderMath.swiglu(project(l, Projection.GATE, x2), project(l, Projection.UP, x2)));
        return h.add(hooks.ffnOutput(l, x2, f));
    }

    /**
     * Activation recomputation without a custom autograd Function (which the Java bindings do not
     * offer): the layer runs under no-grad, and its output is joined to the graph through
     * {@code bridge = x - x.detach()}, which is zero in value and has identity gradient. A hook on
     * the bridge receives dL/dy in backward, re-runs the layer with gradients, back-propagates
     * dL/dy through it (accumulating adapter gradients) and hands dL/dx on in place of dL/dy.
     */
    @SuppressWarnings("try") // the guard acts by existing
    private Tensor recomputedLayer(int l, Tensor h, LayerContext c) {
        Tensor y;
        try (NoGradGuard off = new NoGradGuard()) {
            y = layer(l, h, c);
        }
        // The input must be in the graph for the hook to fire, even when nothing before this layer trains.
        Tensor x = h.requires_grad() ? h : h.detach().set_requires_grad(true);
        Tensor inputDetached = x.detach();
        Tensor bridge = x.sub(inputDetached);
        RecomputeHook hook = new RecomputeHook(this, l, inputDetached, c);
        // The native hook holds only a function pointer: the Java object must stay reachable
        // until backward has called it.
        pendingHooks.add(hook);
        bridge.register_hook(hook);
        return y.add(bridge);
    }

    /** The backward half of {@link #recomputedLayer}. */
    private static final class RecomputeHook extends TensorTensorHook {
        private final Decoder decoder;
        private final int layer;
        private final Tensor input; // [B, T, d], detached
        private final LayerContext context;
        private Tensor grad; // keeps the returned gradient alive until the engine has taken it

        RecomputeHook(Decoder decoder, int layer, Tensor input, LayerContext context) {
            this.decoder = decoder;
            this.layer = layer;
            this.input = input;
            this.context = context;
        }

        @Override
        @SuppressWarnings("try") // the guard acts by existing
        public TensorBase call(TensorBase gradOut) {
            Tensor x = input.detach().set_requires_grad(true);
            Tensor y;
            try (AutoGradMode on = new AutoGradMode(true)) {
                y = decoder.layer(layer, x, context);
                y.backward(new Tensor(gradOut), new BoolOptional(false), false, new TensorArrayRefOptional());
            }
            grad = x.grad();
            decoder.pendingHooks.remove(this);
            return grad;
        }
    }

    /**
     * Drops the recomputation hooks of forward passes that were never back-propagated (for
     * example a loss computed in grad mode only to be logged); backward removes its own.
     */
    public void discardPendingRecomputation() {
        pendingHooks.clear();
    }

    /** Recomputation hooks registered by forward passes whose backward has not yet run. */
    int pendingRecomputations() {
        return pendingHooks.size();
    }
}
