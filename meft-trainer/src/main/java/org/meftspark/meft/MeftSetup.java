package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.make_generator_cpu;
import static org.bytedeco.pytorch.global.torch.randn;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.TrainingSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryLedger;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelConfig;
import org.meftspark.optim.Seeds;

/**
 * MEFT in the trainer: its host store, routers and retriever built from the configuration, and what it
 * costs before anything is allocated (host bytes, section 5; device bytes, sections 3 and 5).
 */
public final class MeftSetup {
    private MeftSetup() {
    }

    /** Store from (seed, 10), routers from (seed, 11), cap subsets from (seed, 12). */
    public static Adaptation create(AdapterSection a, TrainingSection t, long seed, Decoder decoder, ComputeDevice device,
                                    ScalarType dtype, MemoryLedger ledger) {
        int layers = decoder.config().numHiddenLayers();
        long d = decoder.config().hiddenSize();
        HostNeuronStore store = HostNeuronStore.allocate(layers, a.neurons(), d, a.freezeKeys(), a.initStd(),
                Seeds.derive(seed, 10), dtype, device, HostMemoryPlan.budgetBytes(a.hostMemoryGb()));
        boolean routed = a.routing() == AdapterSection.Routing.KEY_EXPERTS;
        int experts = AdapterSection.experts(a.neurons(), a.expertFactor());
        NeuronRetriever r = new NeuronRetriever(a.topK(), routed ? new ExpertLayout(a.neurons(), experts) : null,
                Runtime.getRuntime().availableProcessors());
        List<Tensor> routers = new ArrayList<>();
        if (routed) {
            Generator g = make_generator_cpu(Seeds.derive(seed, 11));
            for (int l = 0; l < layers; l++) {
                Tensor router = randn(new long[] {experts, d}, new GeneratorOptional(g), new TensorOptions(dtype))
                        .mul_(new Scalar(a.initStd())).to(device.device(), dtype).detach(); // [E, d]
                router.set_requires_grad(true);
                routers.add(router);
            }
        }
        MeftAdapter.Settings s = new MeftAdapter.Settings(a.topK(), a.nProbe(), a.unionCap(), a.routerSoftmax(),
                Seeds.derive(seed, 12));
        HostAdamW.Mode mode = t.optimizerMode() == TrainingSection.OptimizerMode.DENSE ? HostAdamW.Mode.DENSE : HostAdamW.Mode.LAZY;
        return new MeftAdaptation(store, r, routers, s, mode, device, ledger, t.overlapHostUpdate());
    }

    /** The host memory the store will need, before anything is allocated; empty for other methods. */
    public static Optional<HostMemoryPlan> hostPlan(AdapterSection a, ModelConfig model, ScalarType storeDtype) {
        if (a.method() != AdapterSection.Method.MEFT) {
            return Optional.empty();
        }
        return Optional.of(new HostMemoryPlan(model.numHiddenLayers(), a.neurons(), model.hiddenSize(), a.freezeKeys(),
                storeDtype == ScalarType.Double ? 8 : 4));
    }

    /** Frozen base, routers on the device (with gradients and moments), and the working set at the union cap. */
    public static DeviceFootprint footprint(AdapterSection a, ModelConfig m, long weightBytes, int valueBytes) {
        long d = m.hiddenSize();
        long layers = m.numHiddenLayers();
        long routers = a.routing() == AdapterSection.Routing.KEY_EXPERTS
                ? layers * AdapterSection.experts(a.neurons(), a.expertFactor()) * d * valueBytes : 0;
        long rows = Math.min(a.unionCap(), a.neurons());
        // keys and values gathered, and a gradient of each (frozen keys have none)
        long perRow = d * valueBytes * ((a.freezeKeys() ? 1 : 2) + 2L);
        return new DeviceFootprint(weightBytes, routers, routers, 2 * routers, layers * rows * perRow);
    }
}
