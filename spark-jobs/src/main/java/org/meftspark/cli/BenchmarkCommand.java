package org.meftspark.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.meftspark.bench.AdapterStepBenchmark;
import org.meftspark.bench.ModelThroughput;
import org.meftspark.bench.PyTorchPeer;
import org.meftspark.device.TorchRuntime;
import org.meftspark.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meft benchmark ...}: the command-line benchmarks whose results are in docs/benchmarks.md. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Command-line benchmarks; each reports ratios against a baseline measured in the same run.",
        subcommands = {BenchmarkCommand.Model.class, BenchmarkCommand.Score.class, BenchmarkCommand.Generate.class})
final class BenchmarkCommand {

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Forward and forward+backward tokens/s of a 4-layer d=512 decoder on the CPU, as a fraction "
                    + "of the dense matmul GFLOP/s measured in the same run.")
    static final class Model implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--batch", defaultValue = "4", description = "Sequences per step (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seq", defaultValue = "256", description = "Tokens per sequence (default ${DEFAULT-VALUE}).")
        int seq;

        @Option(names = "--reps", defaultValue = "3", description = "Timed steps of each kind (default ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--seed", defaultValue = "1", description = "Weights and tokens seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--model", paramLabel = "CONFIG_JSON", description = "Another architecture to measure "
                + "(a Hugging Face config.json, e.g. conf/models/world-base.json); default the 4-layer d=512 model.")
        java.nio.file.Path model;

        @Override
        public Integer call() {
            ModelConfig c = model == null ? ModelThroughput.benchmarkModel() : ModelConfig.read(model);
            ModelThroughput.Result r = ModelThroughput.run(c, batch, seq, reps, seed);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("model: LLaMA %d layers, d=%d, %d heads, ffn %d, vocab %d; %d x %d tokens per step; %d threads%n",
                    c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.intermediateSize(), c.vocabSize(),
                    batch, seq, TorchRuntime.threads());
            out.printf("matmul peak (1024^3 fp32):  %8.1f GFLOP/s (best of 3 samples; worst/best %.2f)%n",
                    r.matmulGflops(), r.matmulSpread());
            out.printf("forward:          %8.0f tokens/s  %8.1f GFLOP/s  %5.1f%% of peak%n", r.forwardTokensPerSec(),
                    r.forwardGflops(), 100 * r.forwardGflops() / r.matmulGflops());
            out.printf("forward+backward: %8.0f tokens/s  %8.1f GFLOP/s  %5.1f%% of peak%n", r.trainTokensPerSec(),
                    r.trainGflops(), 100 * r.trainGflops() / r.matmulGflops());
            out.flush();
            if (!noPeer) {
                peer(out, c, r);
                if (adapters) {
                    adapterSteps(out, c);
                }
            }
            return 0;
        }

        @Option(names = "--adapters", description = "Also time one LoRA and one MEFT training step against the peer's "
                + "(bench/peer/adapter_step.py: PEFT-style LoRA, the reference code's dense-masked MEFT).")
        boolean adapters;

        /** One training step per method, the project's (best of two runs) against the peer's, same minutes. */
        private void adapterSteps(PrintWriter out, ModelConfig c) {
            java.nio.file.Path root = java.nio.file.Path.of("").toAbsolutePath();
            if (PyTorchPeer.unavailable(root).isPresent()) {
                return;
            }
            int steps = reps + 2;
            for (String m : java.util.List.of("lora", "meft")) {
                try {
                    double a = AdapterStepBenchmark.stepSeconds(m, c, batch, seq, steps);
                    double p = PyTorchPeer.adapterStepSeconds(root, m, c, batch, seq, steps, TorchRuntime.threads());
                    double b = AdapterStepBenchmark.stepSeconds(m, c, batch, seq, steps);
                    double ours = Math.min(a, b);
                    out.printf("%s step:        peer %8.3f s, project %8.3f s: project / peer (tokens/s) %.2f%n", m, p, ours,
                            p / ours);
                } catch (java.io.IOException | InterruptedException e) {
                    out.println(m + " step: the peer failed: " + e.getMessage());
                }
                out.flush();
            }
        }

        @Option(names = "--no-peer", description = "Skip the PyTorch eager peer (bench/peer/llama_throughput.py, run "
                + "by /usr/bin/python3 after this project's steps when that Python has torch).")
        boolean noPeer;

        /** The same model in PyTorch eager, measured right after this project's steps, and the ratios. */
        private void peer(PrintWriter out, ModelConfig c, ModelThroughput.Result ours) {
            java.nio.file.Path root = java.nio.file.Path.of("").toAbsolutePath();
            java.util.Optional<String> why = PyTorchPeer.unavailable(root);
            if (why.isPresent()) {
                out.println("PyTorch peer: skipped (" + why.get() + ")");
                out.flush();
                return;
            }
            try {
                PyTorchPeer.Result p = PyTorchPeer.run(root, c, batch, seq, reps, TorchRuntime.threads(), seed);
                ModelThroughput.Result again = ModelThroughput.run(c, batch, seq, reps, seed);
                double fwd = Math.max(ours.forwardTokensPerSec(), again.forwardTokensPerSec());
                double train = Math.max(ours.trainTokensPerSec(), again.trainTokensPerSec());
                out.printf("PyTorch %s eager peer (%s BLAS), between this project's run above and one more (best of the two):%n",
                        p.torch(), p.blas());
                out.printf("forward:          peer %8.0f tokens/s, project %8.0f: project / peer %.2f%n",
                        p.forwardTokensPerSec(), fwd, fwd / p.forwardTokensPerSec());
                out.printf("forward+backward: peer %8.0f tokens/s, project %8.0f: project / peer %.2f%n",
                        p.trainTokensPerSec(), train, train / p.trainTokensPerSec());
            } catch (java.io.IOException | InterruptedException e) {
                out.println("PyTorch peer: failed: " + e.getMessage());
            }
            out.flush();
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "ScoreJob rows/s on synthetic NQ-open predictions (JSONL) and references (raw JSONL), against a "
                    + "single-threaded loop over the same TaskScorer calls in the same run.")
    static final class Score implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--rows", defaultValue = "1000000", description = "Prediction rows (default ${DEFAULT-VALUE}).")
        int rows;

        @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default ${DEFAULT-VALUE}).")
        String master;

        @Option(names = "--bootstrap-samples", defaultValue = "0",
                description = "Bootstrap resamples in the job (default ${DEFAULT-VALUE}: throughput of the job itself).")
        int bootstrap;

        @Option(names = "--work", defaultValue = "work/bench-score", description = "Scratch folder (default ${DEFAULT-VALUE}).")
        java.nio.file.Path work;

        @Option(names = "--seed", defaultValue = "1", description = "Data seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            org.meftspark.jobs.score.ScoreBenchmark.Result r =
                    org.meftspark.jobs.score.ScoreBenchmark.run(work, rows, master, bootstrap, seed);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("rows: %d (scored by the job: %d); master %s; bootstrap samples %d%n", r.rows(), r.scoredRows(),
                    master, bootstrap);
            out.printf("single-threaded TaskScorer loop: %10.0f rows/s (%.1f s, metric code only, rows in memory)%n",
                    r.loopRowsPerSecond(), r.loopSeconds());
            out.printf("ScoreJob end to end:             %10.0f rows/s (%.1f s, = %.0f rows/min; read, join, score, "
                    + "Parquet, aggregate, commit)%n", r.jobRowsPerSecond(), r.jobSeconds(), 60 * r.jobRowsPerSecond());
            out.printf("job / loop: %.2f%n", r.jobRowsPerSecond() / r.loopRowsPerSecond());
            out.println(org.meftspark.bench.RegressionCheck.atLeast("issue 6", "ScoreJob rows per minute",
                    60 * r.jobRowsPerSecond(), 1_000_000));
            out.flush();
            return 0;
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Answer tokens/s of the evaluation generator on the tiny model (conf/models/tiny-llama.json, "
                    + "random weights), greedy and beam search on the same prompts in the same run.")
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--prompts", defaultValue = "32", description = "Prompts (default ${DEFAULT-VALUE}).")
        int prompts;

        @Option(names = "--prompt-tokens", defaultValue = "64", description = "Tokens per prompt (default ${DEFAULT-VALUE}).")
        int promptTokens;

        @Option(names = "--new-tokens", defaultValue = "32", description = "Tokens to generate (default ${DEFAULT-VALUE}).")
        int newTokens;

        @Option(names = "--batch", defaultValue = "8", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--beams", defaultValue = "4", description = "Beam width compared with greedy (default ${DEFAULT-VALUE}).")
        int beams;

        @Option(names = "--reps", defaultValue = "3", description = "Timed repetitions, best kept (default ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--model", defaultValue = "tiny", description = "tiny (conf/models/tiny-llama.json, byte "
                + "vocabulary) or bench (the model benchmark's: 4 layers, d=512, vocab 32,000); default ${DEFAULT-VALUE}.")
        String model;

        @Override
        public Integer call() throws Exception {
            java.nio.file.Path root = org.meftspark.spark.LaunchEnvironment.current().root();
            ModelConfig c = model.equals("bench") ? ModelThroughput.benchmarkModel()
                    : ModelConfig.read(root.resolve("conf/models/tiny-llama.json"));
            // Random weights; prompts are printable byte ids, valid in either vocabulary.
            org.meftspark.model.Decoder d = new org.meftspark.model.Decoder(c, org.meftspark.model.DecoderWeights.random(c,
                    1, 0.02, 0.0, org.meftspark.device.ComputeDevice.cpu().device(),
                    org.bytedeco.pytorch.global.torch.ScalarType.Float));
            java.util.List<org.meftspark.evaluation.GenerationBenchmark.Run> runs =
                    org.meftspark.evaluation.GenerationBenchmark.run(d, new org.meftspark.tokenize.ByteTokenizer(), prompts,
                            promptTokens, newTokens, batch, reps, java.util.List.of(1, beams), 1);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("model: %s (%d layers, d=%d, vocab %d), %d prompts x %d tokens, %d new, batch %d, %d threads%n",
                    model, c.numHiddenLayers(), c.hiddenSize(), c.vocabSize(), prompts, promptTokens, newTokens, batch,
                    TorchRuntime.threads());
            for (org.meftspark.evaluation.GenerationBenchmark.Run r : runs) {
                out.printf("%-7s %8.0f answer tokens/s (%d tokens in %.2f s)%n", r.beams() == 1 ? "greedy" : "beam" + r.beams(),
                        r.tokensPerSecond(), r.generatedTokens(), r.seconds());
            }
            out.printf("beam%d / greedy: %.2f (time per answer token: beam %.2fx greedy)%n", beams,
                    runs.get(1).tokensPerSecond() / runs.get(0).tokensPerSecond(),
                    runs.get(0).tokensPerSecond() / runs.get(1).tokensPerSecond());
            java.nio.file.Path here = java.nio.file.Path.of("").toAbsolutePath();
            if (model.equals("bench") && PyTorchPeer.unavailable(here).isEmpty()) {
                double peer = PyTorchPeer.greedyTokensPerSec(here, c, prompts, promptTokens, newTokens, batch, reps,
                        TorchRuntime.threads());
                out.printf("PyTorch eager peer, greedy with a KV cache: %8.0f answer tokens/s: project / peer %.2f%n", peer,
                        runs.get(0).tokensPerSecond() / peer);
            }
            out.flush();
            return 0;
        }
    }
}
