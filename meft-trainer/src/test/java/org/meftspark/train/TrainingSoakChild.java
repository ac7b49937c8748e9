package org.meftspark.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.config.DataSection;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResult;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.device.ComputeDevice;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.synth.SampleDatasets;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.SequenceResult;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.tokenize.Tokenizers;

/**
 * The process {@link TrainingSoakTest} watches (issue 9, item 8): the quickstart's training
 * (conf/quickstart.yaml: embedded tiny LLaMA, byte tokenizer, MEFT with 4096 neurons, checkpoints every 50
 * steps) on the quickstart's sample data, run for a fixed wall-clock time instead of 200 steps, with a
 * {@link MemorySample} appended to {@code memory.jsonl} at a fixed interval.
 *
 * <p>The rows are built as preprocessing builds them (the dataset readers, the configured templates, the
 * byte tokenizer, {@link SequenceBuilder}) but without Spark, so the process holds only the trainer and the
 * measured memory is the trainer's. Checkpoints older than the last two are deleted as the run goes: an hour
 * writes about a hundred, and the soak is about memory, not disk.
 *
 * <p>Args: workDir minutes sampleSeconds projectRoot.
 */
public final class TrainingSoakChild {
    private TrainingSoakChild() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        double minutes = Double.parseDouble(args[1]);
        long sampleSeconds = Long.parseLong(args[2]);
        Path root = Path.of(args[3]);
        // max_steps far beyond what an hour reaches: the listener ends the run on time, with a checkpoint.
        RunConfig c = RunConfigLoader.parse(RunConfigLoader.readText(root.resolve("conf/quickstart.yaml")), "quickstart.yaml",
                List.of("training.max_steps=100000000"));
        List<TokenizedExample> rows = quickstartTrainRows(c, work.resolve("data"), root);
        Path runDir = work.resolve("run");
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        AtomicLong steps = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-sampler");
            t.setDaemon(true);
            return t;
        });
        try (BufferedWriter out = Files.newBufferedWriter(work.resolve("memory.jsonl"), StandardCharsets.UTF_8)) {
            sampler.scheduleAtFixedRate(() -> write(out, MemorySample.now((System.nanoTime() - start) / 1e9, steps.get())),
                    0, sampleSeconds, TimeUnit.SECONDS);
            TrainingResult r = Trainer.train(c, org.meftspark.model.BaseModels.load(c.model(), ComputeDevice.cpu()), rows, runDir, false,
                    new TrainingListener() {
                        @Override
                        public void onStep(StepMetrics metrics) {
                            steps.incrementAndGet();
                        }

                        @Override
                        public boolean shouldStop(long stepsDone) {
                            pruneCheckpoints(runDir);
                            return System.nanoTime() >= end;
                        }
                    }, ComputeDevice.cpu(), ScalarType.Float);
            sampler.shutdown();
            sampler.awaitTermination(1, TimeUnit.MINUTES);
            write(out, MemorySample.now((System.nanoTime() - start) / 1e9, steps.get()));
            System.out.println("soak: " + r.stepsDone() + " steps, " + rows.size() + " rows, last loss " + r.lastLoss());
        }
        System.exit(0); // libtorch threads must not keep the JVM alive
    }

    /** The train-split rows of the quickstart inputs, from freshly written sample datasets. */
    static List<TokenizedExample> quickstartTrainRows(RunConfig c, Path data, Path root) throws IOException {
        SampleDatasets.Files4 files = SampleDatasets.write(data, 20240604L, 40); // the quickstart's seed and town count
        SequenceBuilder builder = new SequenceBuilder(Tokenizers.open(org.meftspark.model.ModelTokenizer.spec(c.model())),
                PromptTemplates.load(root.resolve(c.data().templates())), c.data().maxLength(), c.data().truncationSide());
        List<TokenizedExample> rows = new ArrayList<>();
        for (DataSection.Input in : c.data().inputs()) {
            if (!in.split().equals("train")) {
                continue;
            }
            // Inputs name work/quickstart/data/<dataset>/<file>; the samples were written under data/<dataset>/<file>.
            Path p = Path.of(in.path());
            Path file = data.resolve(p.getParent().getFileName()).resolve(p.getFileName());
            if (!files.all().contains(file)) {
                throw new IllegalStateException(in.path() + " is not one of the sample files " + files.all());
            }
            try (ReadResults rr = DatasetReaders.open(in.dataset(), in.split(), file, ReaderOptions.DEFAULTS)) {
                while (rr.hasNext()) {
                    ReadResult x = rr.next();
                    if (x instanceof Example e && builder.build(e) instanceof SequenceResult.Built b) {
                        rows.add(b.example());
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("no train rows in the quickstart inputs");
        }
        return rows;
    }

    private static synchronized void write(BufferedWriter out, MemorySample s) {
        try {
            out.write(s.toJson());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps the two newest step-* folders; the trainer only ever reads the one `latest` names. */
    private static void pruneCheckpoints(Path runDir) {
        Path root = runDir.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> s = Files.list(root)) {
            List<Path> steps = s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
            for (Path old : steps.subList(0, Math.max(0, steps.size() - 2))) {
                Checkpoints.deleteTree(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
