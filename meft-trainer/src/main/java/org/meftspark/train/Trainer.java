package org.meftspark.train;

import static org.bytedeco.pytorch.global.torch.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.ModelSection;
import org.meftspark.config.RunConfig;
import org.meftspark.config.TrainingSection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryCategory;
import org.meftspark.device.MemoryLedger;
import org.meftspark.device.ResidentMemory;
import org.meftspark.device.TorchRuntime;
import org.meftspark.meft.HostMemoryPlan;
import org.meftspark.model.Decoder;
import org.meftspark.model.EmbeddedModels;
import org.meftspark.optim.AdamWMath;
import org.meftspark.optim.Seeds;
import org.meftspark.shard.ShardReader;
import org.meftspark.shard.ShardStore;
import org.meftspark.tokenize.TokenizedExample;

/**
 * The training loop, as a library call (the CLI and the Spark job wrap it):
 * micro-batches with gradient accumulation, warm-up then decay, global-norm clipping, loss on
 * target tokens only, NaN/Inf steps skipped and counted, JSON-lines metrics per step
 * ({@code runDir/metrics.jsonl}), checkpoints every {@code training.checkpoint_every} steps and at
 * the end, and resume from the latest checkpoint.
 *
 * <p>Reproducibility: every random draw is seeded from {@code run.seed} and its position (data
 * order per epoch, dropout per micro-batch, MEFT cap subsets per micro-batch and layer), so a CPU
 * run is bit-identical when repeated or when stopped and resumed.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunConfig config;
    private final Decoder decoder;
    private final List<TokenizedExample> rows;
    private final Path runDir;
    private final TrainingListener listener;
    private final ComputeDevice device;
    private final ScalarType adapterDtype;
    private final MemoryLedger ledger;

    private Trainer(RunConfig config, Decoder decoder, List<TokenizedExample> rows, Path runDir, TrainingListener listener,
                    ComputeDevice device, ScalarType adapterDtype) {
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
     * Trains from a shard set: loads the model of {@code model.path}, reads the {@code train} split.
     *
     * @param shards the preprocessing output (manifest + Arrow shards)
     * @param runDir where metrics, checkpoints and exports go (created)
     * @param resume continue from {@code runDir/checkpoints/latest}; refused when there is none
     */
    public static TrainingResult run(RunConfig config, ShardStore shards, Path runDir, boolean resume, TrainingListener listener) {
        ComputeDevice device = config.training().device() == TrainingSection.Device.GPU
                ? ComputeDevice.select(ComputeDevice.Preference.CUDA, null) : ComputeDevice.cpu();
        return run(config, shards, runDir, resume, listener, device);
    }

    /** As {@link #run(RunConfig, ShardStore, Path, boolean, TrainingListener)} on a chosen device (the GPU Spark assigned). */
    public static TrainingResult run(RunConfig config, ShardStore shards, Path runDir, boolean resume, TrainingListener listener,
                                     ComputeDevice device) {
        // Before the model's weights are read (gigabytes for a real model): a store that cannot fit is refused now.
        modelConfig(config.model()).flatMap(mc -> Adaptations.hostPlan(config.adapter(), mc, ScalarType.Float))
                .ifPresent(p -> p.requireFits(HostMemoryPlan.budgetBytes(config.adapter().hostMemoryGb())));
        Decoder decoder = loadModel(config.model(), device);
        ShardReader reader = ShardReader.open(shards, null);
        if (reader.manifest().vocabSize() > decoder.config().vocabSize()) {
            throw new IllegalArgumentException("shards use a vocabulary of " + reader.manifest().vocabSize() + " tokens ("
                    + reader.manifest().tokenizerFingerprint() + ") but the model has " + decoder.config().vocabSize()
                    + "; preprocess with the model's tokenizer");
        }
        List<TokenizedExample> train = reader.rows().filter(r -> r.split().equals("train")).toList();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("the shard set has no rows in split 'train' (splits: "
                    + reader.manifest().countsBySplit() + "); give an input with split: train or a dev_fraction below 1");
        }
        return train(config, decoder, train, runDir, resume, listener, device, ScalarType.Float);
    }

    /**
     * Trains an already loaded decoder on given rows (tests, notebooks, the Spark job after its own reading).
     *
     * @param adapterDtype dtype of the adapter parameters: Float, or Double for exactness tests
     */
    public static TrainingResult train(RunConfig config, Decoder decoder, List<TokenizedExample> rows, Path runDir,
                                       boolean resume, TrainingListener listener, ComputeDevice device, ScalarType adapterDtype) {
        int vocab = decoder.config().vocabSize();
        for (TokenizedExample r : rows) {
            for (int id : r.inputIds()) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("row " + r.id() + " (" + r.source() + ") has token id " + id
                            + " outside the model's vocabulary of " + vocab + "; the shards were made with another tokenizer");
                }
            }
            if (r.inputIds().length < 2) {
                throw new IllegalArgumentException("row " + r.id() + " has fewer than 2 tokens; nothing to predict");
            }
        }
        TorchRuntime.flushDenormals(); // subnormal floats slow a confident model's CPU steps 2x and more
        return new Trainer(config, decoder, List.copyOf(rows), runDir, listener, device, adapterDtype).loop(resume);
    }

    /** The frozen base of {@code model.path}: an embedded model or a Hugging Face folder. */
    public static Decoder loadModel(ModelSection m, ComputeDevice device) {
        ScalarType dtype = switch (m.dtype()) {
            case FLOAT32 -> ScalarType.Float;
            case BFLOAT16 -> ScalarType.BFloat16;
            case FLOAT16 -> ScalarType.Half;
            case FLOAT64 -> ScalarType.Double;
        };
        Decoder d = EmbeddedModels.loadPath(m.path(), device.device(), dtype);
        d.setRecomputeAll(m.gradientCheckpointing());
        return d;
    }

    /** The architecture of {@code model.path} without its weights; empty when it cannot be read (loadModel then says why). */
    static java.util.Optional<org.meftspark.model.ModelConfig> modelConfig(ModelSection m) {
        if (m.path().startsWith(EmbeddedModels.PREFIX)) {
            return java.util.Optional.of(EmbeddedModels.config(m.path()));
        }
        Path json = Path.of(m.path()).resolve("config.json");
        return !m.path().startsWith(EmbeddedModels.PREFIX) && Files.isRegularFile(json)
                ? java.util.Optional.of(org.meftspark.model.ModelConfig.read(json)) : java.util.Optional.empty();
    }

    /** Steps in the run: max_steps, or epochs times the steps of one pass. */
    static long totalSteps(TrainingSection t, long rows) {
        if (t.maxSteps() > 0) {
            return t.maxSteps();
        }
        long perStep = (long) t.microBatchSize() * t.gradientAccumulation();
        return t.epochs() * ((rows + perStep - 1) / perStep);
    }

    /** Where the data stands: the epoch and the next row of its order. */
    private static final class Cursor {
        long epoch;
        int next;
        int[] order;
    }

    private int[] order(long epoch) {
        List<Integer> idx = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            idx.add(i);
        }
        if (config.training().shuffle()) {
            Collections.shuffle(idx, new Random(Seeds.derive(config.run().seed(), 1, epoch)));
        }
        int[] order = idx.stream().mapToInt(Integer::intValue).toArray();
        return config.training().lengthGrouping()
                ? LengthGrouping.group(order, rows, config.training().microBatchSize(), Seeds.derive(config.run().seed(), 3, epoch))
                : order;
    }

    /** The next micro-batch's rows; a micro-batch never spans two epochs. */
    private List<TokenizedExample> nextRows(Cursor c) {
        if (c.next >= c.order.length) {
            c.epoch++;
            c.next = 0;
            c.order = order(c.epoch);
        }
        int n = Math.min(config.training().microBatchSize(), c.order.length - c.next);
        List<TokenizedExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(rows.get(c.order[c.next + i]));
        }
        c.next += n;
        return out;
    }

    @SuppressWarnings("try")
    private TrainingResult loop(boolean resume) {
        TrainingSection t = config.training();
        AdapterSection a = config.adapter();
        long seed = config.run().seed();
        long total = totalSteps(t, rows.size());
        // A store that does not fit is refused before anything is created or written (Adaptations.create checks again).
        Adaptations.hostPlan(a, decoder, adapterDtype)
                .ifPresent(p -> p.requireFits(HostMemoryPlan.budgetBytes(a.hostMemoryGb())));
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + runDir + ": " + e.getMessage(), e);
        }
        boolean fullFineTuning = a.method() == AdapterSection.Method.FULL;
        if (!fullFineTuning) {
            ledger.allocate(MemoryCategory.FROZEN_WEIGHTS, decoder.weights().bytes());
        }
        // Computed before allocation and reported in onStart; HostNeuronStore.allocate refuses with the same numbers when it does not fit.
        String plan = Adaptations.hostPlan(a, decoder, adapterDtype)
                .map(p -> p.describe() + ", budget " + String.format(java.util.Locale.ROOT, "%.2f GiB",
                        HostMemoryPlan.budgetBytes(a.hostMemoryGb()) / (double) (1L << 30)))
                .orElse("no host-resident adapter");
        try (Adaptation adaptation = Adaptations.create(a, t, seed, decoder, device, adapterDtype, ledger)) {
            decoder.setHooks(adaptation.hooks());
            Cursor cursor = new Cursor();
            cursor.order = order(0);
            long step = 0, badStreak = 0, badTotal = 0, tokensSeen = 0;
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("method", a.method().name().toLowerCase(java.util.Locale.ROOT));
            run.put("total_steps", total);
            run.put("rows", rows.size());
            run.put("trainable_parameters", adaptation.trainableParameters());
            run.put("host_bytes", adaptation.hostBytes());
            run.put("host_memory_plan", plan);
            run.put("seed", seed);
            run.put("device", device.toString());
            if (resume) {
                Path ckpt = Checkpoints.latest(runDir).orElseThrow(() -> new IllegalStateException(
                        "resume requested but " + runDir.resolve("checkpoints") + " holds no checkpoint; start without resume"));
                Map<String, Object> st = Checkpoints.readState(ckpt);
                for (String k : List.of("method", "rows", "total_steps", "seed")) {
                    if (!String.valueOf(st.get(k)).equals(String.valueOf(run.get(k)))) {
                        throw new IllegalStateException(ckpt + " was written with " + k + " = " + st.get(k) + ", this run has "
                                + run.get(k) + "; resume needs the same configuration and data");
                    }
                }
                Checkpoints.readTensors(ckpt, adaptation::load);
                step = ((Number) st.get("step")).longValue();
                cursor.epoch = ((Number) st.get("epoch")).longValue();
                cursor.order = order(cursor.epoch);
                cursor.next = ((Number) st.get("next_row")).intValue();
                badStreak = ((Number) st.get("bad_streak")).longValue();
                badTotal = ((Number) st.get("bad_total")).longValue();
                tokensSeen = ((Number) st.get("tokens_seen")).longValue();
                MetricsFile.keepUpTo(runDir, step);
                Checkpoints.removeLeftovers(runDir); // a killed run's staging folders
                PeftExport.removeLeftovers(runDir);
            } else {
                Checkpoints.latest(runDir).ifPresent(p -> {
                    throw new IllegalStateException(runDir + " already holds a run (" + p.getFileName()
                            + "); resume it or choose a new run directory");
                });
                Checkpoints.removeLeftovers(runDir); // a run killed before its first checkpoint
                PeftExport.removeLeftovers(runDir);
                MetricsFile.startFresh(runDir);
            }
            listener.onStart(run);
            if (a.method() == AdapterSection.Method.NONE) {
                TrainingResult r = new TrainingResult(0, 0, Double.NaN, 0, null, false);
                listener.onEnd(r);
                return r; // zero-shot: nothing to train
            }
            double lastLoss = Double.NaN;
            Path lastCheckpoint = null;
            boolean stopped = false;
            Path metricsFile = runDir.resolve("metrics.jsonl");
            try (FileChannel metrics = FileChannel.open(metricsFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                metrics.position(metrics.size());
                while (step < total) {
                    long t0 = System.nanoTime();
                    ledger.resetPeaks();
                    Map<String, Object> m = new LinkedHashMap<>();
                    double lossSum = 0;
                    long targetTokens = 0;
                    try (PointerScope scope = new PointerScope()) {
                        List<MicroBatch> batches = new ArrayList<>();
                        for (int i = 0; i < t.gradientAccumulation(); i++) {
                            MicroBatch b = MicroBatch.of(nextRows(cursor), device.device());
                            batches.add(b);
                            targetTokens += b.targetTokens();
                        }
                        for (int i = 0; i < batches.size(); i++) {
                            MicroBatch b = batches.get(i);
                            manual_seed(Seeds.derive(seed, 2, step, i)); // dropout draws
                            adaptation.beginMicroBatch(step, i);
                            Tensor logits = decoder.forward(b.tokens(), b.valid(), null);
                            Tensor loss = b.lossSum(logits);
                            lossSum += loss.item_double();
                            loss.div(new org.bytedeco.pytorch.Scalar((double) Math.max(1, targetTokens))).backward();
                            adaptation.afterBackward();
                        }
                        double gn2 = adaptation.gradNormSquared();
                        double loss = lossSum / Math.max(1, targetTokens);
                        double lr = LrSchedule.at(t, step, total);
                        boolean bad = !Double.isFinite(loss) || !Double.isFinite(gn2);
                        double norm = Math.sqrt(gn2);
                        if (bad) {
                            adaptation.discardGradients();
                            badStreak++;
                            badTotal++;
                        } else {
                            double scale = t.maxGradNorm() > 0 ? Math.min(1.0, t.maxGradNorm() / (norm + 1e-6)) : 1.0;
                            adaptation.step(new AdamWMath.Hyper(lr, t.beta1(), t.beta2(), t.epsilon(), t.weightDecay()), scale);
                            badStreak = 0;
                            lastLoss = loss;
                        }
                        step++;
                        tokensSeen += targetTokens;
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        m.put("step", step);
                        m.put("epoch", cursor.epoch);
                        m.put("loss", Double.isFinite(loss) ? loss : String.valueOf(loss));
                        m.put("lr", lr);
                        m.put("grad_norm", Double.isFinite(norm) ? norm : String.valueOf(norm));
                        m.put("skipped", bad);
                        m.put("bad_steps", badTotal);
                        m.put("target_tokens", targetTokens);
                        m.put("tokens_per_s", targetTokens / seconds);
                        m.put("step_s", seconds);
                        adaptation.stepMetrics(m);
                        double other = 0;
                        for (String k : List.of("retrieval_s", "transfer_s", "host_update_s")) {
                            other += ((Number) m.getOrDefault(k, 0.0)).doubleValue();
                        }
                        m.put("compute_s", Math.max(0, seconds - other));
                        Map<String, Long> dev = new LinkedHashMap<>();
                        for (MemoryCategory c : MemoryCategory.values()) {
                            dev.put(c.name().toLowerCase(java.util.Locale.ROOT), ledger.peak(c));
                        }
                        m.put("device_bytes_peak", dev);
                        m.put("device_bytes_peak_total", ledger.totalPeak());
                        m.put("host_bytes", adaptation.hostBytes());
                        m.put("rss_bytes", ResidentMemory.bytes());
                    }
                    MetricsFile.append(metrics, metricsFile, m, step, runDir);
                    listener.onStep(m);
                    if (badStreak > t.maxBadSteps()) {
                        throw new IllegalStateException("training stopped: " + badStreak + " consecutive steps had NaN/Inf loss or "
                                + "gradients (training.max_bad_steps = " + t.maxBadSteps() + "); lower the learning rate, check "
                                + "the data, or resume from " + Checkpoints.latest(runDir).map(Path::toString).orElse("the start"));
                    }
                    boolean stopNow = step < total && listener.shouldStop(step);
                    if ((t.checkpointEvery() > 0 && step % t.checkpointEvery() == 0) || step == total || stopNow) {
                        lastCheckpoint = checkpoint(adaptation, step, cursor, badStreak, badTotal, tokensSeen, run);
                    }
                    if (stopNow) {
                        stopped = true;
                        break;
                    }
                }
            } catch (IOException e) { // opening or closing the file; MetricsFile.append reports a failed line itself
                throw new UncheckedIOException(metricsFile + ": cannot open or close the metrics file: " + e.getMessage()
                        + "; " + Checkpoints.resumeAdvice(runDir), e);
            }
            if (!stopped && adaptation.hooks() instanceof LoraHooks lora) {
                PeftExport.write(runDir, lora, config.model().path());
            }
            adaptation.inference();
            TrainingResult r = new TrainingResult(step, total, lastLoss, badTotal,
                    lastCheckpoint != null ? lastCheckpoint : Checkpoints.latest(runDir).orElse(null), stopped);
            listener.onEnd(r);
            return r;
        } finally {
            decoder.setHooks(null);
        }
    }

    private Path checkpoint(Adaptation adaptation, long step, Cursor c, long badStreak, long badTotal, long tokensSeen,
                            Map<String, Object> run) {
        Map<String, Object> st = new LinkedHashMap<>(run);
        st.put("step", step);
        st.put("epoch", c.epoch);
        st.put("next_row", c.next);
        st.put("bad_streak", badStreak);
        st.put("bad_total", badTotal);
        st.put("tokens_seen", tokensSeen);
        st.put("rng", "stateless: every draw is seeded from run.seed and its (step, micro-batch, layer) position");
        return Checkpoints.write(runDir, step, adaptation.state(), st);
    }
}
