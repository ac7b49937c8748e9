package org.meftspark.adapters.full;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.DeviceAdaptation;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.AdapterSection;
import org.meftspark.device.MemoryLedger;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderHooks;

/** Full fine-tuning (a baseline): every base weight trains on the device; nothing is added to the decoder. */
public final class FullFineTuning {
    private FullFineTuning() {
    }

    /** The decoder's own weights become the trainables (requires_grad set here). */
    public static Adaptation create(Decoder decoder, MemoryLedger ledger) {
        Map<String, Tensor> params = new LinkedHashMap<>(decoder.weights().named(decoder.config()));
        params.values().forEach(p -> p.set_requires_grad(true));
        return new DeviceAdaptation(AdapterSection.Method.FULL, DecoderHooks.NONE, params, ledger);
    }

    /** Every base weight trains: value, gradient and two moments (section 5: about 16 bytes a parameter). */
    public static DeviceFootprint footprint(long weightBytes) {
        return new DeviceFootprint(0, weightBytes, weightBytes, 2 * weightBytes, 0);
    }
}
