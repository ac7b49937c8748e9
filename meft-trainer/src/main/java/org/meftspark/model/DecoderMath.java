package org.meftspark.model;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;

/**
 * The decoder's math as plain static functions of tensors (llama3.java style), in the
 * conventions of Hugging Face {@code modeling_llama.py} / {@code modeling_mistral.py}.
 * Shapes: B batch, T new tokens, S cached + new tokens, H query heads, KV key/value heads,
 * hd head_dim, d hidden_size.
 */
public final class DecoderMath {
    private DecoderMath() {
    }

    private static Scalar s(double v) {
        return new Scalar(v);
    }

    /**
     * RMSNorm as LlamaRMSNorm: normalise in at least float32, cast back, then scale.
     *
     * @param x      [..., d]
     * @param weight [d]
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        ScalarType in = x.scalar_type().intern();
        boolean low = in == ScalarType.Half || in == ScalarType.BFloat16;
        Tensor xf = low ? x.to(ScalarType.Float) : x;
        Tensor var = xf.pow(s(2)).mean(new long[] {-1}, true, new ScalarTypeOptional());
        Tensor normed = xf.mul(var.add(s(eps)).rsqrt());
        return weight.mul(low ? normed.to(in) : normed);
    }

    /**
     * Rotary cos and sin tables for given positions (HF default RoPE): inv_freq[j] =
     * theta^(-2j/hd), angle = pos * inv_freq, duplicated to hd channels (cat(freqs, freqs)).
     * Computed in float64 and cast to {@code dtype}, so precision does not depend on the model dtype.
     *
     * @param positions [B, T] int64
     * @return {cos, sin}, each [B, 1, T, hd]
     */
    public static Tensor[] rotaryCosSin(Tensor positions, int headDim, double theta, ScalarType dtype) {
        return rotaryCosSin(positions, RopeScaling.defaultInverseFrequencies(headDim, theta), dtype);
    }

    /**
     * Rotary cos and sin tables from given inverse frequencies (scaled ones: {@link RopeScaling}).
     *
     * @param positions [B, T] int64
     * @param invFreq   [hd/2]
     * @return {cos, sin}, each [B, 1, T, hd]
     */
    public static Tensor[] rotaryCosSin(Tensor positions, double[] invFreq, ScalarType dtype) {
        TensorOptions f64 = new TensorOptions(ScalarType.Double);
        Tensor inv = from_blob(new org.bytedeco.javacpp.DoublePointer(invFreq), new long[] {invFreq.length}, f64).clone()
                .to(positions.device(), ScalarType.Double); // [hd/2], a copy: the Java array may go
        Tensor angles = positions.to(ScalarType.Double).unsqueeze(-1).mul(inv); // [B, T, hd/2]
        // cos(cat(a, a)) = cat(cos a, cos a): half the float64 sin/cos work, the same values
        Tensor cos = angles.cos().to(dtype), sin = angles.sin().to(dtype);
        return new Tensor[] {cat(new org.bytedeco.pytorch.TensorVector(cos, cos), -1).unsqueeze(1),  // [B, 1, T, hd]
                cat(new org.bytedeco.pytorch.TensorVector(sin, sin), -1).unsqueeze(1)};
    }

    /** rotate_half: cat(-x2, x1) over the last dimension, x1/x2 its halves. */
    public static Tensor rotateHalf(Tensor x) {
        long half = x.size(-1) / 2;
        Tensor x1 = x.narrow(-1, 0, half);
        Tensor x2 = x.narrow(-1, half, half);
        return cat(new org.bytedeco.pytorch.TensorVector(x2.neg(), x1), -1);
    }

    /**
     * @param x   [B, heads, T, hd]
     * @param cos [B, 1, T, hd]
     * @param sin [B, 1, T, hd]
     */
    public static Tensor applyRotary(Tensor x, Tensor cos, Tensor sin) {
        return x.mul(cos).add(rotateHalf(x).mul(sin));
    }

    /**
     * Which keys each query may attend to: causal, only valid (non-padding) keys, and for Mistral
     * only the {@code window} most recent slots including itself (HF: kv_idx > q_idx - window).
     * A query at a padding slot sees only itself, so its softmax stays finite (its output is never used).
     *
     * @param keyValid  [B, S] bool, false at padding slots
     * @param pastLen   slots already in the cache; the T queries occupy slots pastLen .. pastLen+T-1
     * @param window    sliding window, or 0 for full causal attention
     * @return [B, 1, T, S] bool, true where attention is allowed
     */
    public static Tensor attentionMask(Tensor keyValid, long pastLen, long queries, int window) {
        long total = keyValid.size(1);
        TensorOptions i64 = new TensorOptions(ScalarType.Long).device(new org.bytedeco.pytorch.DeviceOptional(keyValid.device()));
        Tensor q = arange(s(pastLen), s(pastLen + queries), i64).unsqueeze(1); // [T, 1]
        Tensor k = arange(s(0), s(total), i64).unsqueeze(0); // [1, S]
        Tensor allowed = k.le(q); // [T, S] causal
        if (window > 0) {
            allowed = allowed.logical_and(k.gt(q.sub(s(window))));
        }
        Tensor m = allowed.unsqueeze(0).logical_and(keyValid.unsqueeze(1)); // [B, T, S]
        return m.logical_or(k.eq(q).unsqueeze(0)).unsqueeze(1);
    }

    /**
     * Whether {@link #attentionMask} would allow exactly what plain causal attention allows (for one
     * query: every key), so that attention needs no mask: every key valid, the queries start at slot 0
     * or are one, and the sliding window does not bind. Then SDPA's {@code is_causal} replaces the
     * mask, which lets its kernel skip the blocks above the diagonal instead of computing and masking
     * them. Reads one value back from the device ({@code all}).
     *
     * @param keyValid [B, S] bool, false at padding slots
     */
    public static boolean plainCausal(Tensor keyValid, long pastLen, long queries, int window) {
        return (pastLen == 0 || queries == 1) && (window == 0 || pastLen + queries <= window)
                && keyValid.all().item_bool();
    }

    /**
     * Scaled dot-product attention with grouped-query heads (query head h uses key/value head
     * h / (H/KV), as HF repeat_kv) and scale 1/sqrt(hd).
     *
     * @param q    [B, H, T, hd]
     * @param k    [B, KV, S, hd]
     * @param v    [B, KV, S, hd]
     * @param mask [B, 1, T, S] bool, or null for plain causal attention ({@link #plainCausal}; with one
     *             query, every key)
     * @return [B, H, T, hd]
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask) {
        long group = q.size(1) / k.size(1);
        if (group > 1) {
            k = repeatKv(k, group);
            v = repeatKv(v, group);
        }
        boolean causal = mask == null && q.size(2) > 1;
        return scaled_dot_product_attention(q, k, v, mask == null ? new TensorOptional() : new TensorOptional(mask), 0.0,
                causal, new DoubleOptional(), false);
    }

    /** [B, KV, S, hd] to [B, KV*group, S, hd], each key/value head repeated for its group of query heads. */
    static Tensor repeatKv(Tensor x, long group) {
        long b = x.size(0), kv = x.size(1), s = x.size(2), hd = x.size(3);
        return x.unsqueeze(2).expand(b, kv, group, s, hd).reshape(b, kv * group, s, hd);
    }

    /** y = x W^T. x [..., in], w [out, in]. */
    public static Tensor linearNoBias(Tensor x, Tensor w) {
        return linear(x, w);
    }

    /** SwiGLU gate: silu(gate) * up, elementwise. */
    public static Tensor swiglu(Tensor gate, Tensor up) {
        return silu(gate).mul(up);
    }
}
