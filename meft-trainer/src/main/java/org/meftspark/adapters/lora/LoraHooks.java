package org.meftspark.adapters.lora;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.meftspark.model.DecoderHooks;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.Projection;

/**
 * LoRA (Hu et al. 2021) on chosen projections, in the PEFT convention: {@code y = W x + (alpha/r) B A dropout(x)}
 * with A initialised Kaiming-uniform (bound 1/sqrt(in), PEFT's default) and B zero, so training
 * starts from the frozen model. Dropout draws from libtorch's global generator, which the trainer
 * reseeds per micro-batch.
 */
public final class LoraHooks implements DecoderHooks {
    private final Set<Projection> targets;
    private final int rank;
    private final double alpha;
    private final double dropout;
    /** per "layer.projection": A [r, in] and B [out, r], trainable, on the device */
    private final Map<String, Tensor> a = new LinkedHashMap<>();
    private final Map<String, Tensor> b = new LinkedHashMap<>();
    private boolean training = true;

    /**
     * @param targets PEFT module names (q_proj ... down_proj)
     */
    public LoraHooks(ModelConfig c, DecoderWeights w, java.util.List<String> targets, int rank, double alpha,
                     double dropout, long seed, Device device, ScalarType dtype) {
        this.targets = EnumSet.noneOf(Projection.class);
        for (String t : targets) {
            Projection p = java.util.Arrays.stream(Projection.values()).filter(x -> x.hfName().endsWith("." + t)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown LoRA target '" + t + "'"));
            this.targets.add(p);
        }
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        Generator g = make_generator_cpu(seed);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            for (Projection p : this.targets) {
                Tensor wt = w.layers.get(l).weight(p); // [out, in]
                long out = wt.size(0), in = wt.size(1);
                double bound = 1.0 / Math.sqrt(in);
                Tensor am = zeros(new long[] {rank, in}, new TensorOptions(ScalarType.Double))
                        .uniform_(-bound, bound, new GeneratorOptional(g)).to(device, dtype).detach();
                Tensor bm = zeros(new long[] {out, rank}, new TensorOptions(dtype).device(new org.bytedeco.pytorch.DeviceOptional(device)));
                am.set_requires_grad(true);
                bm.set_requires_grad(true);
                a.put(key(l, p), am);
                b.put(key(l, p), bm);
            }
        }
    }

    private static String key(int layer, Projection p) {
        return "model.layers." + layer + "." + p.hfName();
    }

    public void setTraining(boolean on) {
        training = on;
    }

    @Override
    public Tensor projection(int layer, Projection p, Tensor input, Tensor output) {
        if (!targets.contains(p)) {
            return output;
        }
        String k = key(layer, p);
        Tensor x = training && dropout > 0 && GradMode.is_enabled() ? dropout(input, dropout, true) : input;
        Tensor delta = x.matmul(a.get(k).t()).matmul(b.get(k).t()).mul(new Scalar(alpha / rank)); // [B, T, out]
        return output.add(delta.to(output.scalar_type().intern()));
    }

    /** Trainables by name: {@code <module>.lora_A.weight} [r, in] and {@code <module>.lora_B.weight} [out, r]. */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String k : a.keySet()) {
            m.put(k + ".lora_A.weight", a.get(k));
            m.put(k + ".lora_B.weight", b.get(k));
        }
        return m;
    }

    /** PEFT's adapter_model.safetensors names: {@code base_model.model.} + module + {@code .lora_A.weight}. */
    public Map<String, Tensor> peftTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        parameters().forEach((k, v) -> m.put("base_model.model." + k, v));
        return m;
    }

    /** PEFT's adapter_config.json fields. */
    public Map<String, Object> peftConfig(String baseModel) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peft_type", "LORA");
        m.put("task_type", "CAUSAL_LM");
        m.put("base_model_name_or_path", baseModel);
        m.put("r", rank);
        m.put("lora_alpha", alpha);
        m.put("lora_dropout", dropout);
        m.put("target_modules", targets.stream().map(p -> p.hfName().substring(p.hfName().indexOf('.') + 1)).toList());
        m.put("bias", "none");
        m.put("fan_in_fan_out", false);
        m.put("inference_mode", true);
        return m;
    }
}
