package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.meftspark.device.ComputeDevice;
import org.meftspark.optim.DeviceAdamW;

/**
 * The MEFT adapter's parameters in host memory (meft-method.md sections 1, 3, 5): per decoder layer
 * keys and values, their gradient accumulators, AdamW moments and per-row step counts. Pinned
 * when the compute device is a GPU, so gathered rows can be copied asynchronously.
 * Its size is checked against the host budget by {@link HostMemoryPlan} before allocation.
 */
public final class HostNeuronStore {

    /** One layer's rows. N = neurons, d = hidden size. */
    public static final class Layer {
        /** K [N, d]; initial Normal(0, initStd^2) (section 1) */
        public final Tensor keys;
        /** V [N, d]; initially zero, so the adapter starts as a no-op (section 1) */
        public final Tensor values;
        /** dL/dK accumulated over the micro-batches of a step [N, d]; null when keys are frozen */
        public final Tensor keyGrad;
        /** dL/dV accumulated over the micro-batches of a step [N, d] */
        public final Tensor valueGrad;
        /** AdamW first and second moments of K [N, d]; null when keys are frozen */
        public final Tensor keyM;
        public final Tensor keyV;
        /** AdamW first and second moments of V [N, d] */
        public final Tensor valueM;
        public final Tensor valueV;
        /** optimizer steps each row has taken [N] int64 (lazy AdamW bias correction, section 4) */
        public final Tensor steps;
        /** rows with a gradient in the current step [N] bool */
        public final Tensor touched;
        /** rows ever gathered in training [N] bool (the "neurons touched" metric) */
        public final Tensor everTouched;

        Layer(Tensor keys, Tensor values, boolean freezeKeys, ComputeDevice device) {
            this.keys = device.pinned(keys);
            this.values = device.pinned(values);
            this.keyGrad = freezeKeys ? null : device.pinned(zeros_like(keys));
            this.valueGrad = device.pinned(zeros_like(values));
            this.keyM = freezeKeys ? null : zeros_like(keys);
            this.keyV = freezeKeys ? null : zeros_like(keys);
            this.valueM = zeros_like(values);
            this.valueV = zeros_like(values);
            long n = keys.size(0);
            this.steps = zeros(new long[] {n}, new TensorOptions(ScalarType.Long));
            this.touched = zeros(new long[] {n}, new TensorOptions(ScalarType.Bool));
            this.everTouched = zeros(new long[] {n}, new TensorOptions(ScalarType.Bool));
        }
    }

    private final List<Layer> layers;
    private final boolean freezeKeys;
    private final long neurons;
    private final long dim;
    private final ScalarType dtype;

    private HostNeuronStore(List<Layer> layers, boolean freezeKeys, long neurons, long dim, ScalarType dtype) {
        this.layers = List.copyOf(layers);
        this.freezeKeys = freezeKeys;
        this.neurons = neurons;
        this.dim = dim;
        this.dtype = dtype;
    }

    /**
     * Allocates and initialises the store after checking it fits the host budget.
     *
     * @param dtype       Float in training; Double where tests need exact comparisons
     * @param budgetBytes host bytes the store may use ({@link HostMemoryPlan#budgetBytes})
     */
    public static HostNeuronStore allocate(int layers, long neurons, long dim, boolean freezeKeys, double initStd,
                                           long seed, ScalarType dtype, ComputeDevice device, long budgetBytes) {
        HostMemoryPlan plan = new HostMemoryPlan(layers, neurons, dim, freezeKeys, dtype == ScalarType.Double ? 8 : 4);
        plan.requireFits(budgetBytes);
        Generator g = make_generator_cpu(seed);
        List<Layer> out = new ArrayList<>();
        TensorOptions opts = new TensorOptions(dtype);
        for (int l = 0; l < layers; l++) {
            Tensor k = randn(new long[] {neurons, dim}, new GeneratorOptional(g), opts).mul_(new Scalar(initStd));
            Tensor v = zeros(new long[] {neurons, dim}, opts);
            out.add(new Layer(k, v, freezeKeys, device));
        }
        return new HostNeuronStore(out, freezeKeys, neurons, dim, dtype);
    }

    public Layer layer(int l) {
        return layers.get(l);
    }

    public int layers() {
        return layers.size();
    }

    public long neurons() {
        return neurons;
    }

    public long dim() {
        return dim;
    }

    public boolean freezeKeys() {
        return freezeKeys;
    }

    public ScalarType dtype() {
        return dtype;
    }

    /** Host bytes actually held (matches {@link HostMemoryPlan#totalBytes()}). */
    public long bytes() {
        long b = 0;
        for (Layer l : layers) {
            for (Tensor t : new Tensor[] {l.keys, l.values, l.keyGrad, l.valueGrad, l.keyM, l.keyV, l.valueM, l.valueV,
                    l.steps, l.touched, l.everTouched}) {
                b += t == null ? 0 : t.nbytes();
            }
        }
        return b;
    }

    /** Rows ever gathered, summed over layers. */
    public long neuronsTouched() {
        long n = 0;
        for (Layer l : layers) {
            n += l.everTouched.sum().item_long();
        }
        return n;
    }

    /** Everything a checkpoint must hold to continue bit-identically, by name. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String p = "meft.layers." + i + ".";
            m.put(p + "keys", l.keys);
            m.put(p + "values", l.values);
            if (!freezeKeys) {
                m.put(p + "keys.exp_avg", l.keyM);
                m.put(p + "keys.exp_avg_sq", l.keyV);
            }
            m.put(p + "values.exp_avg", l.valueM);
            m.put(p + "values.exp_avg_sq", l.valueV);
            m.put(p + "steps", l.steps);
            m.put(p + "ever_touched", l.everTouched);
        }
        return m;
    }

    /** Restores {@link #state}; gradients start at zero (checkpoints are taken between steps). */
    public void load(Map<String, Tensor> state) {
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String p = "meft.layers." + i + ".";
            DeviceAdamW.copyInto(l.keys, state, p + "keys");
            DeviceAdamW.copyInto(l.values, state, p + "values");
            if (!freezeKeys) {
                DeviceAdamW.copyInto(l.keyM, state, p + "keys.exp_avg");
                DeviceAdamW.copyInto(l.keyV, state, p + "keys.exp_avg_sq");
                l.keyGrad.zero_();
            }
            DeviceAdamW.copyInto(l.valueM, state, p + "values.exp_avg");
            DeviceAdamW.copyInto(l.valueV, state, p + "values.exp_avg_sq");
            DeviceAdamW.copyInto(l.steps, state, p + "steps");
            DeviceAdamW.copyInto(l.everTouched, state, p + "ever_touched");
            l.valueGrad.zero_();
            l.touched.zero_();
        }
    }
}
