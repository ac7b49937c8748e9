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
import org.meftspark.distributed.DataParallel;
import org.meftspark.distributed.ExchangeStats;
import org.meftspark.meft.MeftStepStats;
import org.meftspark.model.Decoder;
import org.meftspark.optim.AdamWMath;
import org.meftspark.optim.Seeds;
import org.meftspark.tokenize.TokenizedExample;

/**
 * One optimizer step: {@code gradient_accumulation} micro-batches forward and backward (loss summed
 * over target tokens, divided by the step's target tokens), global-norm clipping, the method's
 * update, or nothing when the loss or a gradient is NaN/Inf (the step is counted as skipped).
 *
 * <p>Data parallel (issue 17): a step's global batch is {@code data_parallel x gradient_accumulation}
 * micro-batches read from the cursor in the one order every rank computes; rank r runs micro-batches
 * r*a .. r*a + a - 1 of them (a = accumulation) and skips the rest. Every rank counts the target tokens
 * of all of them, so each divides its loss by the global count and the summed gradients are those of
 * the one-rank run with the same global batch; seeds are drawn from the global micro-batch index.
 */
final class TrainingStep {
    private final Decoder decoder;
    private final Adaptation adaptation;
    private final MemoryLedger ledger;
    private final ComputeDevice device;
    private final TrainingSection training;
    private final long seed;
    private final long totalSteps;
    private final DataParallel dp;

    TrainingStep(Decoder decoder, Adaptation adaptation, MemoryLedger ledger, ComputeDevice device,
                 TrainingSection training, long seed, long totalSteps, DataParallel dp) {
        this.dp = dp;
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
            dp.beginStep(stepsDone + 1);
            Forward f = forwardBackward(stepsDone, cursor);
            double lossSum = f.lossSum();
            ExchangeStats exchange = null;
            if (dp.distributed()) {
                long t1 = System.nanoTime();
                lossSum = dp.allReduceSum(new double[] {lossSum}, "the step's loss")[0];
                ExchangeStats grads = adaptation.allReduceGradients(dp);
                exchange = new ExchangeStats(dp.worldSize(), grads.allreduceBytes() + Double.BYTES,
                        grads.denseAllreduceBytes() + Double.BYTES, (System.nanoTime() - t1) / 1e9);
            }
            double gn2 = adaptation.gradNormSquared();
            double loss = lossSum / Math.max(1, f.targetTokens());
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
            double outside = (meft == null ? 0 : meft.outsideComputeS()) + (exchange == null ? 0 : exchange.allreduceS());
            return new StepMetrics(stepsDone + 1, cursor.epoch(), loss, lr, norm, bad, badSoFar + (bad ? 1 : 0),
                    f.targetTokens(), f.targetTokens() / seconds, seconds, meft, exchange,
                    Math.max(0, seconds - outside), devicePeaks(),
                    ledger.totalPeak(), adaptation.hostBytes(), ResidentMemory.bytes());
        }
    }

    /**
     * This rank's micro-batches of the step, all read first so the loss is divided by the whole step's
     * target tokens (over every rank's micro-batches).
     */
    private Forward forwardBackward(long stepsDone, DataCursor cursor) {
        int a = training.gradientAccumulation();
        int first = dp.rank() * a; // this rank's first micro-batch of the global step
        List<MicroBatch> batches = new ArrayList<>();
        long targetTokens = 0;
        for (int i = 0; i < dp.worldSize() * a; i++) {
            List<TokenizedExample> rows = cursor.nextRows();
            targetTokens += MicroBatch.targetTokens(rows);
            if (i >= first && i < first + a) {
                batches.add(MicroBatch.of(rows, device.device()));
            }
        }
        double lossSum = 0;
        for (int j = 0; j < batches.size(); j++) {
            MicroBatch b = batches.get(j);
            int i = first + j; // the global micro-batch index: the seeds of the one-rank run
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
