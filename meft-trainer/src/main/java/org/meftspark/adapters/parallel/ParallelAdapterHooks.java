package org.meftspark.adapters.parallel;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.meftspark.model.DecoderHooks;

/**
 * The dense Parallel Adapter baseline: the MEFT adapter with every neuron active and all of it on
 * the device, {@code y = FFN(x) + relu(x K^T) V} (meft-method.md section 1 with k = N; section 5
 * for its device memory, 2*N*d per layer plus gradients and moments).
 */
public final class ParallelAdapterHooks implements DecoderHooks {
    /** per layer K [N, d] (Normal(0, initStd^2)) and V [N, d] (zero), trainable, on the device */
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final int layers;

    public ParallelAdapterHooks(int layers, long neurons, long dim, double initStd, long seed, Device device, ScalarType dtype) {
        this.layers = layers;
        Generator g = make_generator_cpu(seed);
        for (int l = 0; l < layers; l++) {
            Tensor k = randn(new long[] {neurons, dim}, new GeneratorOptional(g), new TensorOptions(dtype))
                    .mul_(new Scalar(initStd)).to(device, dtype).detach();
            Tensor v = zeros(new long[] {neurons, dim}, new TensorOptions(dtype).device(new org.bytedeco.pytorch.DeviceOptional(device)));
            k.set_requires_grad(true);
            v.set_requires_grad(true);
            params.put("parallel_adapter.layers." + l + ".keys", k);
            params.put("parallel_adapter.layers." + l + ".values", v);
        }
    }

    @Override
    public Tensor ffnOutput(int layer, Tensor ffnInput, Tensor ffnOutput) {
        Tensor k = params.get("parallel_adapter.layers." + layer + ".keys");
        Tensor v = params.get("parallel_adapter.layers." + layer + ".values");
        Tensor x = ffnInput.to(k.scalar_type().intern()); // [B, T, d]
        Tensor out = x.matmul(k.t()).relu().matmul(v); // [B, T, d]
        return ffnOutput.add(out.to(ffnOutput.scalar_type().intern()));
    }

    public Map<String, Tensor> parameters() {
        return params;
    }

    public int layers() {
        return layers;
    }
}
