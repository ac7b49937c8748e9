package org.meftspark.optim;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * A plain AdamW over named device-resident trainables (MEFT routers, LoRA matrices, the dense
 * Parallel Adapter, full fine-tuning): one shared step count, moments on the parameter's device.
 * Its state is exposed by name so checkpoints hold it next to the parameters.
 */
public final class DeviceAdamW {
    private final Map<String, Tensor> params;
    /** first moments, same shapes as the params */
    private final Map<String, Tensor> m = new LinkedHashMap<>();
    /** second moments, same shapes as the params */
    private final Map<String, Tensor> v = new LinkedHashMap<>();
    private long step;

    /** @param params trainable leaves by name (requires_grad true) */
    public DeviceAdamW(Map<String, Tensor> params) {
        this.params = new LinkedHashMap<>(params);
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            m.put(e.getKey(), zeros_like(e.getValue()));
            v.put(e.getKey(), zeros_like(e.getValue()));
        }
    }

    public Map<String, Tensor> params() {
        return params;
    }

    /** Bytes of the two moments (the OPTIMIZER_STATE ledger category). */
    public long stateBytes() {
        long b = 0;
        for (Tensor t : m.values()) {
            b += 2 * t.nbytes();
        }
        return b;
    }

    /** Sum of squared gradient entries over every parameter that has a gradient. */
    public double gradNormSquared() {
        double sum = 0;
        for (Tensor p : params.values()) {
            Tensor g = p.grad();
            if (g.defined()) {
                sum += g.to(ScalarType.Double).pow(new Scalar(2)).sum().item_double();
            }
        }
        return sum;
    }

    /**
     * One update of every parameter; a parameter with no gradient this step is still decayed and
     * its moments still move, as a dense optimizer does.
     *
     * @param gradScale factor applied to the gradients first (global-norm clipping)
     */
    @SuppressWarnings("try") // the guard acts by existing
    public void step(AdamWMath.Hyper h, double gradScale) {
        step++;
        try (NoGradGuard off = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor p = e.getValue();
                Tensor g = p.grad();
                g = g.defined() ? (gradScale == 1.0 ? g : g.mul(new Scalar(gradScale))) : zeros_like(p);
                AdamWMath.scalarStep(p, g, m.get(e.getKey()), v.get(e.getKey()), step, h);
            }
        }
    }

    /**
     * Drops every gradient, so the next backward starts from none (PyTorch's {@code zero_grad(set_to_none=True)}):
     * the backward then keeps the gradient it computes instead of adding it into a zeroed buffer, which spared a
     * memset and an add over every trainable weight each step (docs/benchmarks.md, "Against PyTorch eager"). The values are
     * the same: 0 + g = g.
     */
    public void zeroGrad() {
        for (Tensor p : params.values()) {
            if (p.grad().defined()) {
                p.mutable_grad().put(new Tensor());
            }
        }
    }

    public long stepCount() {
        return step;
    }

    /** Optimizer state by name: {@code prefix + name + ".exp_avg"}, {@code ".exp_avg_sq"}, and the step as a 1-element int64. */
    public Map<String, Tensor> state(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : params.keySet()) {
            out.put(prefix + k + ".exp_avg", m.get(k));
            out.put(prefix + k + ".exp_avg_sq", v.get(k));
        }
        out.put(prefix + "step", tensor(step));
        return out;
    }

    /** Restores what {@link #state} wrote; every entry must be present with the same shape. */
    @SuppressWarnings("try")
    public void load(String prefix, Map<String, Tensor> state) {
        try (NoGradGuard off = new NoGradGuard()) {
            for (String k : params.keySet()) {
                copyInto(m.get(k), state, prefix + k + ".exp_avg");
                copyInto(v.get(k), state, prefix + k + ".exp_avg_sq");
            }
            step = require(state, prefix + "step").item_long();
        }
    }

    static Tensor tensor(long value) {
        return full(new long[] {1}, new Scalar(value), new org.bytedeco.pytorch.TensorOptions(ScalarType.Long));
    }

    /** The named tensor of a checkpoint, or a message naming what is missing. */
    public static Tensor require(Map<String, Tensor> state, String name) {
        Tensor t = state.get(name);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'; it was written by another method or configuration");
        }
        return t;
    }

    /** Copies a checkpoint tensor into a live one after checking its shape. */
    public static void copyInto(Tensor target, Map<String, Tensor> state, String name) {
        Tensor src = require(state, name);
        if (!java.util.Arrays.equals(src.sizes().vec().get(), target.sizes().vec().get())) {
            throw new IllegalArgumentException("checkpoint tensor '" + name + "' has shape "
                    + java.util.Arrays.toString(src.sizes().vec().get()) + ", this run needs "
                    + java.util.Arrays.toString(target.sizes().vec().get()) + "; was the configuration changed?");
        }
        target.copy_(src);
    }

    /** Parameters in declaration order. */
    public List<Tensor> list() {
        return new ArrayList<>(params.values());
    }
}
