package org.meftspark.adapters.parallel;

import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.DeviceAdaptation;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.AdapterSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryLedger;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelConfig;
import org.meftspark.optim.Seeds;

/**
 * The dense Parallel Adapter (meft-method.md section 5, a baseline): MEFT's key-value memory with
 * every one of its N neurons active for every token, kept and trained on the device.
 */
public final class ParallelAdapter {
    private ParallelAdapter() {
    }

    /** Keys from (seed, 30) at adapter.init_std, values zero. */
    public static Adaptation create(AdapterSection a, long seed, Decoder decoder, ComputeDevice device, ScalarType dtype,
                                    MemoryLedger ledger) {
        ParallelAdapterHooks h = new ParallelAdapterHooks(decoder.config().numHiddenLayers(), a.neurons(),
                decoder.config().hiddenSize(), a.initStd(), Seeds.derive(seed, 30), device.device(), dtype);
        return new DeviceAdaptation(a.method(), h, h.parameters(), ledger);
    }

    /** The frozen base plus keys and values [N, d] in every layer. */
    public static DeviceFootprint footprint(AdapterSection a, ModelConfig m, long weightBytes, int valueBytes) {
        return DeviceFootprint.trained(weightBytes, m.numHiddenLayers() * 2L * a.neurons() * m.hiddenSize() * valueBytes);
    }
}
