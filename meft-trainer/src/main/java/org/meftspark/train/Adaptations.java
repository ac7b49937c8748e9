package org.meftspark.train;

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
import org.meftspark.config.AdapterSection;
import org.meftspark.config.TrainingSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryLedger;
import org.meftspark.meft.ExpertLayout;
import org.meftspark.meft.HostAdamW;
import org.meftspark.meft.HostMemoryPlan;
import org.meftspark.meft.HostNeuronStore;
import org.meftspark.meft.MeftAdapter;
import org.meftspark.meft.NeuronRetriever;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderHooks;
import org.meftspark.optim.Seeds;

/** Builds the {@link Adaptation} that {@code adapter.method} names, with every seed derived from the run seed. */
public final class Adaptations {
    private Adaptations() {
    }

    /** The host memory MEFT will need under this configuration, before anything is allocated; empty for other methods. */
    public static java.util.Optional<HostMemoryPlan> hostPlan(AdapterSection a, Decoder decoder, ScalarType storeDtype) {
        return hostPlan(a, decoder.config(), storeDtype);
    }

    /** As {@link #hostPlan(AdapterSection, Decoder, ScalarType)} from the model's configuration alone (no weights loaded). */
    public static java.util.Optional<HostMemoryPlan> hostPlan(AdapterSection a, org.meftspark.model.ModelConfig model,
                                                              ScalarType storeDtype) {
        if (a.method() != AdapterSection.Method.MEFT) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new HostMemoryPlan(model.numHiddenLayers(), a.neurons(), model.hiddenSize(),
                a.freezeKeys(), storeDtype == ScalarType.Double ? 8 : 4));
    }

    /**
     * @param storeDtype dtype of adapter parameters (Float; Double for exactness tests)
     * @param ledger     device ledger to record into, or null
     */
    public static Adaptation create(AdapterSection a, TrainingSection t, long seed, Decoder decoder, ComputeDevice device,
                                    ScalarType storeDtype, MemoryLedger ledger) {
        int layers = decoder.config().numHiddenLayers();
        long d = decoder.config().hiddenSize();
        return switch (a.method()) {
            case MEFT -> {
                HostNeuronStore store = HostNeuronStore.allocate(layers, a.neurons(), d, a.freezeKeys(), a.initStd(),
                        Seeds.derive(seed, 10), storeDtype, device, HostMemoryPlan.budgetBytes(a.hostMemoryGb()));
                boolean routed = a.routing() == AdapterSection.Routing.KEY_EXPERTS;
                int experts = AdapterSection.experts(a.neurons(), a.expertFactor());
                NeuronRetriever r = new NeuronRetriever(a.topK(), routed ? new ExpertLayout(a.neurons(), experts) : null,
                        Runtime.getRuntime().availableProcessors());
                List<Tensor> routers = new ArrayList<>();
                if (routed) {
                    Generator g = make_generator_cpu(Seeds.derive(seed, 11));
                    for (int l = 0; l < layers; l++) {
                        Tensor router = randn(new long[] {experts, d}, new GeneratorOptional(g), new TensorOptions(storeDtype))
                                .mul_(new Scalar(a.initStd())).to(device.device(), storeDtype).detach(); // [E, d]
                        router.set_requires_grad(true);
                        routers.add(router);
                    }
                }
                MeftAdapter.Settings s = new MeftAdapter.Settings(a.topK(), a.nProbe(), a.unionCap(), a.routerSoftmax(),
                        Seeds.derive(seed, 12));
                HostAdamW.Mode mode = t.optimizerMode() == TrainingSection.OptimizerMode.DENSE ? HostAdamW.Mode.DENSE : HostAdamW.Mode.LAZY;
                yield new MeftAdaptation(store, r, routers, s, mode, device, ledger, t.overlapHostUpdate());
            }
            case LORA -> {
                LoraHooks h = new LoraHooks(decoder.config(), decoder.weights(), a.loraTargets(), a.loraRank(), a.loraAlpha(),
                        a.loraDropout(), Seeds.derive(seed, 20), device.device(), storeDtype);
                yield new DeviceAdaptation(a.method(), h, h.parameters(), ledger);
            }
            case PARALLEL_ADAPTER -> {
                ParallelAdapterHooks h = new ParallelAdapterHooks(layers, a.neurons(), d, a.initStd(), Seeds.derive(seed, 30),
                        device.device(), storeDtype);
                yield new DeviceAdaptation(a.method(), h, h.parameters(), ledger);
            }
            case FULL -> {
                Map<String, Tensor> params = new LinkedHashMap<>(decoder.weights().named(decoder.config()));
                params.values().forEach(p -> p.set_requires_grad(true));
                yield new DeviceAdaptation(a.method(), DecoderHooks.NONE, params, ledger);
            }
            case NONE -> new DeviceAdaptation(a.method(), DecoderHooks.NONE, Map.of(), ledger);
        };
    }
}
