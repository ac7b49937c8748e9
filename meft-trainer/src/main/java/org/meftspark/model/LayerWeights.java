package org.meftspark.model;

import org.bytedeco.pytorch.Tensor;

/**
 * The frozen weights of one decoder layer. Shapes use d = hidden_size, H = num_attention_heads,
 * KV = num_key_value_heads, hd = head_dim, I = intermediate_size; projection matrices are
 * stored [out, in] as in Hugging Face checkpoints (y = x W^T).
 *
 * @param inputNorm input_layernorm.weight            [d]
 * @param wq        self_attn.q_proj.weight           [H*hd, d]
 * @param wk        self_attn.k_proj.weight           [KV*hd, d]
 * @param wv        self_attn.v_proj.weight           [KV*hd, d]
 * @param wo        self_attn.o_proj.weight           [d, H*hd]
 * @param postNorm  post_attention_layernorm.weight   [d]
 * @param wGate     mlp.gate_proj.weight              [I, d]
 * @param wUp       mlp.up_proj.weight                [I, d]
 * @param wDown     mlp.down_proj.weight              [d, I]
 */
public record LayerWeights(Tensor inputNorm, Tensor wq, Tensor wk, Tensor wv, Tensor wo,
                           Tensor postNorm, Tensor wGate, Tensor wUp, Tensor wDown) {

    /** The weight of a projection. */
    public Tensor weight(Projection p) {
        return switch (p) {
            case Q -> wq;
            case K -> wk;
            case V -> wv;
            case O -> wo;
            case GATE -> wGate;
            case UP -> wUp;
            case DOWN -> wDown;
        };
    }
}
