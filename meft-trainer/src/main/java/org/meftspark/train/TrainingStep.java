package org.meftspark.train;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.adapters.Adaptation;
import org.meftspark.config.TrainingSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryCategory;
import org.meftspark.device.MemoryLedger;
import org.meftspark.device.ResidentMemory;
import org.meftspark.meft.MeftStepStats;
import org.meftspark.model.Decoder;
import org.meftspark.optim.AdamWMath;
import org.meftspark.optim.Seeds;

/**
 * One optimizer step: {@code gradient_accumulation} micro-batches forward and backward (loss summed
 * over target tokens, divided by the step's target tokens), global-norm clipping, the method's
 * update, or nothing when the loss or a gradient is NaN/Inf (the step is counted as skipped).
 */
final class TrainingStep {
    private final Decoder decoder;
    private final Adaptation adaptation;
    private final MemoryLedger ledger;
    private final ComputeDevice device;
    private final TrainingSection training;
    private final long seed;
    private final long totalSteps;

    TrainingStep(Decoder decoder, Adaptation adaptation, MemoryLedger ledger, ComputeDevice device,
                 TrainingSection training, long seed, long totalSteps) {
        this.decoder = decoder;
        this.adaptation = adaptation;
        this.ledger = ledger;
        this.device = device;
        this.training = training;
        this.seed = seed;
        this.totalSteps = totalSteps;
    }

    /** Loss sum and target tokens of a step's micro-batches. */
    private record Forward(double lossSum, long targetTokens) {
    }

    /**
     * Runs step {@code stepsDone + 1} on the cursor's next micro-batches.
     *
     * @param badSoFar skipped steps before this one (the metrics report the count after it)
     */
    @SuppressWarnings("try")
    StepMetrics run(long stepsDone, DataCursor cursor, long badSoFar) {
        long t0 = System.nanoTime();
        ledger.resetPeaks();
        try (PointerScope scope = new PointerScope()) {
            Forward f = forwardBackward(stepsDone, cursor);
            double gn2 = adaptation.gradNormSquared();
            double loss = f.lossSum() / Math.max(1, f.targetTokens());
            double lr = LrSchedule.at(training, stepsDone, totalSteps);
            double norm = Math.sqrt(gn2);
            boolean bad = !Double.isFinite(loss) || !Double.isFinite(gn2);
            if (bad) {
                adaptation.discardGradients();
            } else {
                double scale = training.maxGradNorm() > 0 ? Math.min(1.0, training.maxGradNorm() / (norm + 1e-6)) : 1.0;
                adaptation.step(new AdamWMath.Hyper(lr, training.beta1(), training.beta2(), training.epsilon(),
                        training.weightDecay()), scale);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            MeftStepStats meft = adaptation.takeStepStats().orElse(null);
            return new StepMetrics(stepsDone + 1, cursor.epoch(), loss, lr, norm, bad, badSoFar + (bad ? 1 : 0),
                    f.targetTokens(), f.targetTokens() / seconds, seconds, meft,
                    Math.max(0, seconds - (meft == null ? 0 : meft.outsideComputeS())), devicePeaks(),
                    ledger.totalPeak(), adaptation.hostBytes(), ResidentMemory.bytes());
        }
    }

    /** Every micro-batch of the step, read first so the loss is divided by the whole step's target tokens. */
    private Forward forwardBackward(long stepsDone, DataCursor cursor) {
        List<MicroBatch> batches = new ArrayList<>();
        long targetTokens = 0;
        for (int i = 0; i < training.gradientAccumulation(); i++) {
            MicroBatch b = MicroBatch.of(cursor.nextRows(), device.device());
            batches.add(b);
            targetTokens += b.targetTokens();
        }
        double lossSum = 0;
        for (int i = 0; i < batches.size(); i++) {
            MicroBatch b = batches.get(i);
            manual_seed(Seeds.derive(seed, 2, stepsDone, i)); // dropout draws
            adaptation.beginMicroBatch(stepsDone, i);
            Tensor logits = decoder.forward(b.tokens(), b.valid(), null);
            Tensor loss = b.lossSum(logits);
            lossSum += loss.item_double();
            loss.div(new Scalar((double) Math.max(1, targetTokens))).backward();
            adaptation.afterBackward();
        }
        return new Forward(lossSum, targetTokens);
    }

    private Map<String, Long> devicePeaks() {
        Map<String, Long> dev = new LinkedHashMap<>();
        for (MemoryCategory c : MemoryCategory.values()) {
            dev.put(c.name().toLowerCase(Locale.ROOT), ledger.peak(c));
        }
        return dev;
    }
}
