package org.meftspark.model;

import org.bytedeco.pytorch.Tensor;

/**
 * Where an adapter takes part in the frozen decoder, in training and in generation alike.
 *
 * <ul>
 *   <li>{@link #ffnOutput}: MEFT and the Parallel Adapter add to the FFN output, in parallel with
 *       the FFN ({@code y = FFN(x) + adapter(x)}, meft-method.md section 1, where {@code x} is the
 *       hidden state after the post-attention RMSNorm).</li>
 *   <li>{@link #projection}: LoRA adds {@code B A x} to a projection's output.</li>
 * </ul>
 *
 * <p>With activation recomputation a layer's forward runs twice (once without gradients, once in
 * backward): hooks must then be deterministic functions of their inputs and their own state
 * (for MEFT: reuse the neuron selection of the first pass instead of drawing a new random subset).
 */
public interface DecoderHooks {
    DecoderHooks NONE = new DecoderHooks() {
    };

    /**
     * @param layer  decoder layer index
     * @param p      which projection
     * @param input  its input [B, T, in]
     * @param output the frozen projection's output [B, T, out]
     * @return the output to use instead, same shape
     */
    default Tensor projection(int layer, Projection p, Tensor input, Tensor output) {
        return output;
    }

    /**
     * @param layer     decoder layer index
     * @param ffnInput  x, the FFN input after the post-attention RMSNorm [B, T, d]
     * @param ffnOutput FFN(x) [B, T, d]
     * @return the FFN block's output to add to the residual stream, same shape
     */
    default Tensor ffnOutput(int layer, Tensor ffnInput, Tensor ffnOutput) {
        return ffnOutput;
    }
}
