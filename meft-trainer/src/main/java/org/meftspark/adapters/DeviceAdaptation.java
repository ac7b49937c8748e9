package org.meftspark.adapters;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.adapters.lora.LoraHooks;
import org.meftspark.config.AdapterSection;
import org.meftspark.distributed.DataParallel;
import org.meftspark.distributed.ExchangeStats;
import org.meftspark.distributed.GradientBuckets;
import org.meftspark.device.MemoryCategory;
import org.meftspark.device.MemoryLedger;
import org.meftspark.model.DecoderHooks;
import org.meftspark.optim.AdamWMath;
import org.meftspark.optim.DeviceAdamW;

/**
 * The baselines whose trainables all live on the device (meft-method.md section 5): LoRA, the
 * dense Parallel Adapter, full fine-tuning, and none (zero-shot, nothing trained). They differ only
 * in their hooks and their parameters; the optimizer is a device AdamW.
 */
public final class DeviceAdaptation implements Adaptation {
    private final AdapterSection.Method method;
    private final DecoderHooks hooks;
    private final DeviceAdamW optimizer;
    private final MemoryLedger ledger;
    private boolean gradsRecorded;

    /**
     * @param params trainable leaves by name (requires_grad true), already on the device
     * @param ledger device ledger, or null
     */
    public DeviceAdaptation(AdapterSection.Method method, DecoderHooks hooks, Map<String, Tensor> params, MemoryLedger ledger) {
        this.method = method;
        this.hooks = hooks;
        this.optimizer = new DeviceAdamW(params);
        this.ledger = ledger;
        if (ledger != null) {
            long bytes = 0;
            for (Tensor p : params.values()) {
                bytes += p.nbytes();
            }
            ledger.allocate(MemoryCategory.TRAINABLE_PARAMS, bytes);
            ledger.allocate(MemoryCategory.OPTIMIZER_STATE, optimizer.stateBytes());
        }
    }

    @Override
    public AdapterSection.Method method() {
        return method;
    }

    @Override
    public DecoderHooks hooks() {
        return hooks;
    }

    public DeviceAdamW optimizer() {
        return optimizer;
    }

    @Override
    public void beginMicroBatch(long step, int microBatch) {
        if (hooks instanceof LoraHooks lora) {
            lora.setTraining(true);
        }
    }

    @Override
    public void afterBackward() {
        if (!gradsRecorded && ledger != null) {
            // gradients are allocated by every backward and dropped after the step; the first one's size is the peak
            long bytes = 0;
            for (Tensor p : optimizer.params().values()) {
                bytes += p.grad().defined() ? p.grad().nbytes() : 0;
            }
            ledger.allocate(MemoryCategory.GRADIENTS, bytes);
            gradsRecorded = true;
        }
    }

    /** Dense gradients in DDP-style buckets: every trainable's gradient, every step. */
    @Override
    public ExchangeStats allReduceGradients(DataParallel dp) {
        long t0 = System.nanoTime();
        long bytes = GradientBuckets.allReduce(dp, optimizer.params().values(), GradientBuckets.BUCKET_BYTES,
                method.name().toLowerCase(java.util.Locale.ROOT) + " gradients");
        return new ExchangeStats(dp.worldSize(), bytes, bytes, (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double gradNormSquared() {
        return optimizer.gradNormSquared();
    }

    @Override
    public void step(AdamWMath.Hyper hyper, double gradScale) {
        optimizer.step(hyper, gradScale);
        optimizer.zeroGrad();
    }

    @Override
    public void discardGradients() {
        optimizer.zeroGrad();
    }

    @Override
    @SuppressWarnings("try")
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>(optimizer.params());
        m.putAll(optimizer.state("optimizer."));
        return m;
    }

    @Override
    @SuppressWarnings("try")
    public void load(Map<String, Tensor> state) {
        try (NoGradGuard off = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : optimizer.params().entrySet()) {
                DeviceAdamW.copyInto(e.getValue(), state, e.getKey());
            }
        }
        optimizer.load("optimizer.", state);
    }

    @Override
    public long trainableParameters() {
        long n = 0;
        for (Tensor p : optimizer.params().values()) {
            n += p.numel();
        }
        return n;
    }

    @Override
    public long hostBytes() {
        return 0;
    }

    @Override
    public void inference() {
        if (hooks instanceof LoraHooks lora) {
            lora.setTraining(false);
        }
    }
}
