package org.meftspark.model;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

/**
 * All frozen weights of a LLaMA/Mistral decoder, on one device, in one dtype, with
 * {@code requires_grad = false}. Shapes: V = vocab_size, d = hidden_size.
 */
public final class DecoderWeights {
    /** model.embed_tokens.weight [V, d] */
    public final Tensor embed;
    /** model.layers.N.* */
    public final List<LayerWeights> layers;
    /** model.norm.weight [d] */
    public final Tensor finalNorm;
    /** lm_head.weight [V, d]; the same tensor as {@link #embed} when tie_word_embeddings */
    public final Tensor lmHead;

    public DecoderWeights(Tensor embed, List<LayerWeights> layers, Tensor finalNorm, Tensor lmHead) {
        this.embed = embed;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    /** Hugging Face tensor names and shapes a checkpoint of this config must hold, in model order. */
    public static Map<String, long[]> expectedShapes(ModelConfig c) {
        long d = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long i = c.intermediateSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", new long[] {c.vocabSize(), d});
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            m.put(p + "input_layernorm.weight", new long[] {d});
            m.put(p + "self_attn.q_proj.weight", new long[] {q, d});
            m.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            m.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            m.put(p + "self_attn.o_proj.weight", new long[] {d, q});
            m.put(p + "post_attention_layernorm.weight", new long[] {d});
            m.put(p + "mlp.gate_proj.weight", new long[] {i, d});
            m.put(p + "mlp.up_proj.weight", new long[] {i, d});
            m.put(p + "mlp.down_proj.weight", new long[] {d, i});
        }
        m.put("model.norm.weight", new long[] {d});
        if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[] {c.vocabSize(), d});
        }
        return m;
    }

    /** Builds the weights from tensors keyed by Hugging Face names (all present, already checked). */
    static DecoderWeights fromNamed(ModelConfig c, Map<String, Tensor> t) {
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(new LayerWeights(
                    t.get(p + "input_layernorm.weight"),
                    t.get(p + "self_attn.q_proj.weight"),
                    t.get(p + "self_attn.k_proj.weight"),
                    t.get(p + "self_attn.v_proj.weight"),
                    t.get(p + "self_attn.o_proj.weight"),
                    t.get(p + "post_attention_layernorm.weight"),
                    t.get(p + "mlp.gate_proj.weight"),
                    t.get(p + "mlp.up_proj.weight"),
                    t.get(p + "mlp.down_proj.weight")));
        }
        Tensor embed = t.get("model.embed_tokens.weight");
        return new DecoderWeights(embed, layers, t.get("model.norm.weight"),
                c.tieWordEmbeddings() ? embed : t.get("lm_head.weight"));
    }

    /** Tensors by Hugging Face name, as a checkpoint stores them (no lm_head when tied). */
    public Map<String, Tensor> named(ModelConfig c) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", embed);
        for (int l = 0; l < layers.size(); l++) {
            String p = "model.layers." + l + ".";
            LayerWeights w = layers.get(l);
            m.put(p + "input_layernorm.weight", w.inputNorm());
            for (Projection pr : Projection.values()) {
                if (pr == Projection.GATE) {
                    m.put(p + "post_attention_layernorm.weight", w.postNorm());
                }
                m.put(p + pr.hfName() + ".weight", w.weight(pr));
            }
        }
        m.put("model.norm.weight", finalNorm);
        if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", lmHead);
        }
        return m;
    }

    /**
     * Random weights as Hugging Face initialises a fresh model (LlamaPreTrainedModel._init_weights:
     * Normal(0, std) for embeddings and projections, ones for RMSNorm weights), drawn from a seeded
     * generator in float64 on the CPU so the result does not depend on device or dtype.
     *
     * @param std  initializer_range (HF default 0.02); tests use larger values so outputs vary
     * @param normJitter standard deviation added to the RMSNorm weights (0 for HF's ones); tests
     *                   use a non-zero value so a norm weight applied wrongly is visible
     */
    public static DecoderWeights random(ModelConfig c, long seed, double std, double normJitter,
                                        Device device, ScalarType dtype) {
        Generator g = make_generator_cpu(seed);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(c).entrySet()) {
            Tensor x = randn(e.getValue(), new org.bytedeco.pytorch.GeneratorOptional(g), new TensorOptions(ScalarType.Double));
            boolean norm = e.getKey().endsWith("norm.weight");
            x = norm ? x.mul(new org.bytedeco.pytorch.Scalar(normJitter)).add(new org.bytedeco.pytorch.Scalar(1.0))
                    : x.mul(new org.bytedeco.pytorch.Scalar(std));
            t.put(e.getKey(), frozen(x, device, dtype));
        }
        return fromNamed(c, t);
    }

    /** Moves a tensor to the device and dtype, as a leaf that never takes gradients. */
    static Tensor frozen(Tensor x, Device device, ScalarType dtype) {
        Tensor y = x.to(device, dtype).contiguous().detach();
        y.set_requires_grad(false);
        return y;
    }

    /** Bytes held by the distinct weight tensors (a tied head is counted once). */
    public long bytes() {
        long n = embed.nbytes() + finalNorm.nbytes();
        for (LayerWeights w : layers) {
            n += w.inputNorm().nbytes() + w.postNorm().nbytes();
            for (Projection p : Projection.values()) {
                n += w.weight(p).nbytes();
            }
        }
        if (lmHead != embed) {
            n += lmHead.nbytes();
        }
        return n;
    }
}
