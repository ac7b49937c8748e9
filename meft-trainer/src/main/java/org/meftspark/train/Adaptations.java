package org.meftspark.train;

import java.util.Map;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.DeviceAdaptation;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.adapters.full.FullFineTuning;
import org.meftspark.adapters.lora.Lora;
import org.meftspark.adapters.parallel.ParallelAdapter;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.TrainingSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryLedger;
import org.meftspark.meft.MeftSetup;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderHooks;
import org.meftspark.model.ModelConfig;

/**
 * The {@code adapter.method} switch, the one place that names every method: each method's package
 * ({@code adapters.lora}, {@code adapters.parallel}, {@code adapters.full}, {@code meft}) builds its
 * {@link Adaptation} and works out its device bytes; every seed is derived from the run seed.
 */
public final class Adaptations {
    private Adaptations() {
    }

    /**
     * @param storeDtype dtype of adapter parameters (Float; Double for exactness tests)
     * @param ledger     device ledger to record into, or null
     */
    public static Adaptation create(AdapterSection a, TrainingSection t, long seed, Decoder decoder, ComputeDevice device,
                                    ScalarType storeDtype, MemoryLedger ledger) {
        return switch (a.method()) {
            case MEFT -> MeftSetup.create(a, t, seed, decoder, device, storeDtype, ledger);
            case LORA -> Lora.create(a, seed, decoder, device, storeDtype, ledger);
            case PARALLEL_ADAPTER -> ParallelAdapter.create(a, seed, decoder, device, storeDtype, ledger);
            case FULL -> FullFineTuning.create(decoder, ledger);
            case NONE -> new DeviceAdaptation(a.method(), DecoderHooks.NONE, Map.of(), ledger);
        };
    }

    /**
     * The device bytes the ledger will record for this configuration, before anything is allocated.
     *
     * @param weightBytes the base model's weight bytes as loaded ({@code DecoderWeights.bytes()})
     * @param valueBytes  bytes per adapter value (4 for fp32)
     */
    public static DeviceFootprint footprint(AdapterSection a, ModelConfig m, long weightBytes, int valueBytes) {
        return switch (a.method()) {
            case NONE -> DeviceFootprint.frozenOnly(weightBytes);
            case FULL -> FullFineTuning.footprint(weightBytes);
            case LORA -> Lora.footprint(a, m, weightBytes, valueBytes);
            case PARALLEL_ADAPTER -> ParallelAdapter.footprint(a, m, weightBytes, valueBytes);
            case MEFT -> MeftSetup.footprint(a, m, weightBytes, valueBytes);
        };
    }
}
