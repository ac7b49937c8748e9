package org.meftspark.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.AdapterConfig;
import org.meftspark.adapters.lora.LoraHooks;
import org.meftspark.adapters.lora.PeftExport;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.RunConfig;
import org.meftspark.config.TrainingSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryCategory;
import org.meftspark.device.MemoryLedger;
import org.meftspark.device.TorchRuntime;
import org.meftspark.distributed.DataParallel;
import org.meftspark.meft.HostMemoryPlan;
import org.meftspark.meft.MeftSetup;
import org.meftspark.model.BaseModels;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelConfig;
import org.meftspark.shard.ShardStore;
import org.meftspark.tokenize.TokenizedExample;

/**
 * The training loop, as a library call (the CLI and the Spark job wrap it): start or resume
 * ({@link RunStart}), then for each step the step itself ({@link TrainingStep}), its metrics line
 * ({@link StepMetrics}, {@code runDir/metrics.jsonl}) and a checkpoint every
 * {@code training.checkpoint_every} steps and at the end ({@link Checkpoints}); LoRA's PEFT export last.
 *
 * <p>Data parallel (issue 17): with {@code training.data_parallel} ranks, each rank runs this loop with its
 * {@link DataParallel} handle; gradients are summed over ranks inside the step, so every replica takes the
 * same update. Rank 0 alone writes the run directory (metrics, checkpoints, the PEFT export) and the
 * others wait for each checkpoint; every rank starts from the same checkpoint (checked).
 *
 * <p>Reproducibility: every random draw is seeded from {@code run.seed} and its position (data
 * order per epoch, dropout per micro-batch, MEFT cap subsets per micro-batch and layer), so a CPU
 * run is bit-identical when repeated or when stopped and resumed.
 */
public final class Trainer {
    private final RunConfig config;
    private final Decoder decoder;
    private final List<TokenizedExample> rows;
    private final Path runDir;
    private final TrainingListener listener;
    private final ComputeDevice device;
    private final ScalarType adapterDtype;
    private final MemoryLedger ledger;
    private final Ranks ranks;

    private Trainer(RunConfig config, Decoder decoder, List<TokenizedExample> rows, Path runDir, TrainingListener listener,
                    ComputeDevice device, ScalarType adapterDtype, Ranks ranks) {
        this.ranks = ranks;
        this.config = config;
        this.decoder = decoder;
        this.rows = rows;
        this.runDir = runDir;
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.device = device;
        this.adapterDtype = adapterDtype;
        this.ledger = new MemoryLedger(device);
    }

    /**
     * Trains from a shard set (its {@code train} split) on the model of {@code model.path}, in
     * {@code runDir} (created), continuing from {@code runDir/checkpoints/latest} when {@code resume}.
     */
    public static TrainingResult run(RunConfig config, ShardStore shards, Path runDir, boolean resume, TrainingListener listener) {
        ComputeDevice device = config.training().device() == TrainingSection.Device.GPU
                ? ComputeDevice.select(ComputeDevice.Preference.CUDA, null) : ComputeDevice.cpu();
        return run(config, shards, runDir, resume, listener, device);
    }

    /** As {@link #run(RunConfig, ShardStore, Path, boolean, TrainingListener)} on a chosen device (the GPU Spark assigned). */
    public static TrainingResult run(RunConfig config, ShardStore shards, Path runDir, boolean resume, TrainingListener listener,
                                     ComputeDevice device) {
        return run(config, shards, runDir, resume, listener, device, DataParallel.single());
    }

    /** As above, as one rank of a data-parallel run ({@code dp} from {@link DataParallel#join}). */
    public static TrainingResult run(RunConfig config, ShardStore shards, Path runDir, boolean resume, TrainingListener listener,
                                     ComputeDevice device, DataParallel dp) {
        // Before the model's weights are read (gigabytes for a real model): a store that cannot fit is refused now.
        BaseModels.config(config.model().path()).ifPresent(mc -> requireHostFit(config.adapter(), mc, ScalarType.Float));
        Decoder decoder = BaseModels.load(config.model(), device);
        List<TokenizedExample> train = TrainingRows.read(shards, decoder.config());
        return start(config, decoder, train, runDir, resume, listener, device, ScalarType.Float, dp);
    }

    /**
     * Trains an already loaded decoder on given rows (tests, notebooks, the Spark job after its own reading).
     *
     * @param adapterDtype dtype of the adapter parameters: Float, or Double for exactness tests
     */
    public static TrainingResult train(RunConfig config, Decoder decoder, List<TokenizedExample> rows, Path runDir,
                                       boolean resume, TrainingListener listener, ComputeDevice device, ScalarType adapterDtype) {
        return train(config, decoder, rows, runDir, resume, listener, device, adapterDtype, DataParallel.single());
    }

    /** As above, as one rank of a data-parallel run. */
    public static TrainingResult train(RunConfig config, Decoder decoder, List<TokenizedExample> rows, Path runDir,
                                       boolean resume, TrainingListener listener, ComputeDevice device, ScalarType adapterDtype,
                                       DataParallel dp) {
        requireHostFit(config.adapter(), decoder.config(), adapterDtype);
        return start(config, decoder, rows, runDir, resume, listener, device, adapterDtype, dp);
    }

    private static TrainingResult start(RunConfig config, Decoder decoder, List<TokenizedExample> rows, Path runDir,
                                        boolean resume, TrainingListener listener, ComputeDevice device,
                                        ScalarType adapterDtype, DataParallel dp) {
        Ranks ranks = new Ranks(dp, config.training());
        TrainingRows.check(rows, decoder.config());
        TorchRuntime.flushDenormals(); // subnormal floats slow a confident model's CPU steps 2x and more
        return new Trainer(config, decoder, List.copyOf(rows), runDir, listener, device, adapterDtype, ranks).loop(resume);
    }

    /**
     * The one check of MEFT's host store against the host budget, before anything is allocated or
     * written (HostNeuronStore.allocate keeps its own guard for callers outside the trainer).
     */
    private static void requireHostFit(AdapterSection a, ModelConfig model, ScalarType dtype) {
        MeftSetup.hostPlan(a, model, dtype).ifPresent(p -> p.requireFits(HostMemoryPlan.budgetBytes(a.hostMemoryGb())));
    }

    private TrainingResult loop(boolean resume) {
        AdapterSection a = config.adapter();
        if (a.method() != AdapterSection.Method.FULL) {
            ledger.allocate(MemoryCategory.FROZEN_WEIGHTS, decoder.weights().bytes());
        }
        try (Adaptation adaptation = Adaptations.create(a, config.training(), config.run().seed(), decoder, device,
                adapterDtype, ledger)) {
            decoder.setHooks(adaptation.hooks());
            TrainingRun run = describe(adaptation);
            AdapterConfig described = AdapterConfig.of(a, decoder.config(), config.model().path(), config.run().seed());
            TrainState state = RunStart.prepare(runDir, resume, run, described, adaptation, ranks.writer());
            ranks.requireSameStart(state.step());
            listener.onStart(run);
            if (a.method() == AdapterSection.Method.NONE) {
                TrainingResult r = new TrainingResult(0, 0, Double.NaN, 0, null, false);
                listener.onEnd(r);
                return r; // zero-shot: nothing to train
            }
            TrainingResult r = steps(adaptation, state, described);
            if (ranks.writer() && !r.stopped() && adaptation.hooks() instanceof LoraHooks lora) {
                PeftExport.write(runDir, lora, config.model().path(), () -> Checkpoints.resumeAdvice(runDir));
            }
            r = ranks.checked(r, adaptation);
            adaptation.inference();
            listener.onEnd(r);
            return r;
        } finally {
            decoder.setHooks(null);
        }
    }

    /** What onStart shows and every checkpoint records. */
    private TrainingRun describe(Adaptation adaptation) {
        AdapterSection a = config.adapter();
        String plan = MeftSetup.hostPlan(a, decoder.config(), adapterDtype)
                .map(p -> p.describe() + ", budget " + String.format(Locale.ROOT, "%.2f GiB",
                        HostMemoryPlan.budgetBytes(a.hostMemoryGb()) / (double) (1L << 30)))
                .orElse("no host-resident adapter");
        return new TrainingRun(a.method().name().toLowerCase(Locale.ROOT), DataCursor.totalSteps(config.training(), rows.size()),
                rows.size(), adaptation.trainableParameters(), adaptation.hostBytes(), plan, config.run().seed(),
                device.toString());
    }

    /** From {@code state} to the last step, or until the listener stops the run. */
    private TrainingResult steps(Adaptation adaptation, TrainState state, AdapterConfig described) {
        TrainingSection t = config.training();
        long total = state.run().totalSteps();
        DataCursor cursor = new DataCursor(rows, t, config.run().seed(), state.epoch(), state.nextRow());
        TrainingStep step = new TrainingStep(decoder, adaptation, ledger, device, t, config.run().seed(), total,
                ranks.dataParallel());
        double lastLoss = Double.NaN;
        Path lastCheckpoint = null;
        Path metricsFile = runDir.resolve(StepMetrics.FILE);
        try (FileChannel metrics = ranks.writer() ? FileChannel.open(metricsFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)
                : null) {
            if (metrics != null) {
                metrics.position(metrics.size());
            }
            while (state.step() < total) {
                StepMetrics m = step.run(state.step(), cursor, state.badTotal());
                state = advance(state, m, cursor);
                lastLoss = m.skipped() ? lastLoss : m.loss();
                if (metrics != null) {
                    MetricsFile.append(metrics, metricsFile, m, runDir);
                }
                listener.onStep(m);
                requireProgress(state, t);
                boolean stopNow = state.step() < total && ranks.agreeToStop(listener.shouldStop(state.step()));
                if ((t.checkpointEvery() > 0 && state.step() % t.checkpointEvery() == 0) || state.step() == total || stopNow) {
                    if (ranks.writer()) {
                        lastCheckpoint = Checkpoints.write(runDir, state.step(), adaptation.state(), state, described);
                        listener.onCheckpoint(lastCheckpoint);
                    }
                    ranks.afterCheckpoint(state.step());
                }
                if (stopNow) {
                    return new TrainingResult(state.step(), total, lastLoss, state.badTotal(), lastCheckpoint, true);
                }
            }
        } catch (IOException e) { // opening or closing the file; MetricsFile.append reports a failed line itself
            throw new UncheckedIOException(metricsFile + ": cannot open or close the metrics file: " + e.getMessage()
                    + "; " + Checkpoints.resumeAdvice(runDir), e);
        }
        return new TrainingResult(state.step(), total, lastLoss, state.badTotal(),
                lastCheckpoint != null ? lastCheckpoint : Checkpoints.latest(runDir).orElse(null), false);
    }

    /** The state after step {@code m}: a bad step lengthens the streak, a good one ends it. */
    private static TrainState advance(TrainState s, StepMetrics m, DataCursor cursor) {
        return new TrainState(s.run(), m.step(), cursor.epoch(), cursor.next(), m.skipped() ? s.badStreak() + 1 : 0,
                m.badSteps(), s.tokensSeen() + m.targetTokens());
    }

    private void requireProgress(TrainState s, TrainingSection t) {
        if (s.badStreak() > t.maxBadSteps()) {
            throw new IllegalStateException("training stopped: " + s.badStreak() + " consecutive steps had NaN/Inf loss or "
                    + "gradients (training.max_bad_steps = " + t.maxBadSteps() + "); lower the learning rate, check "
                    + "the data, or resume from " + Checkpoints.latest(runDir).map(Path::toString).orElse("the start"));
        }
    }
}
