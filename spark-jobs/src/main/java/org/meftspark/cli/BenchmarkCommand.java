package org.meftspark.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.meftspark.bench.ModelThroughput;
import org.meftspark.device.TorchRuntime;
import org.meftspark.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meft benchmark ...}: the command-line benchmarks whose results are in docs/benchmarks.md. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Command-line benchmarks; each reports ratios against a baseline measured in the same run.",
        subcommands = {BenchmarkCommand.Model.class})
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

        @Override
        public Integer call() {
            ModelConfig c = ModelThroughput.benchmarkModel();
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
            return 0;
        }
    }
}
