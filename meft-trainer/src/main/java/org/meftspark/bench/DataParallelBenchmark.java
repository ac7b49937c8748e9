package org.meftspark.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.device.ComputeDevice;
import org.meftspark.distributed.DataParallel;
import org.meftspark.distributed.ExchangeStats;
import org.meftspark.distributed.ProcessGroupSpec;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;
import org.meftspark.train.StepMetrics;
import org.meftspark.train.Trainer;
import org.meftspark.train.TrainingListener;

/**
 * Benchmark 6 (issue 17): data-parallel steps on this machine. The model, batch and MEFT settings of
 * benchmark 3; every rank one libtorch thread, so W = 2 uses both cores; ranks are threads of this JVM
 * joined by a real TCPStore and Gloo group over 127.0.0.1 (the Spark job runs them as executors). W = 1
 * and W = 2 train the same per-rank batch (4 sequences of 64 tokens); the table gives the step time of
 * each, the share of the W = 2 step spent in collectives, and the bytes each rank sends into the sums:
 * MEFT's union rows against the dense adapter's whole gradients at the same N.
 */
final class DataParallelBenchmark {
    private DataParallelBenchmark() {
    }

    /** Medians over steps 2..6 of one run (rank 0's metrics). */
    record Result(double stepS, double allreduceS, long bytes, long denseBytes) {
    }

    static Result run(String method, int neurons, int ranks) throws Exception {
        org.meftspark.device.TorchRuntime.setThreads(1); // each rank one core, OpenBLAS included
        String yaml = """
                adapter: {method: %s, neurons: %d, top_k: 32, expert_factor: 1.0, n_probe: 4, union_cap: 512, lora_rank: 8}
                training: {max_steps: 6, micro_batch_size: 4, gradient_accumulation: 1, checkpoint_every: 0,
                           learning_rate: 0.0001, data_parallel: %d, collective_timeout_s: 600}
                """.formatted(method, neurons, ranks);
        RunConfig rc = RunConfigLoader.parse(yaml, "bench", List.of());
        Path dir = Files.createTempDirectory("meft-dp-bench");
        if (ranks == 1) {
            Trainer.train(rc, decoder(), MeftBenchmarks.benchRows(32, 64), dir, false, TrainingListener.NONE,
                    ComputeDevice.cpu(), ScalarType.Float);
        } else {
            TCPStore server = DataParallel.serveStore(600_000);
            int port = DataParallel.port(server);
            ExecutorService pool = Executors.newFixedThreadPool(ranks);
            try {
                List<Future<?>> f = new ArrayList<>();
                for (int r = 0; r < ranks; r++) {
                    final int rank = r;
                    f.add(pool.submit(() -> {
                        ProcessGroupSpec spec = new ProcessGroupSpec(rank, ranks, "127.0.0.1", port, "127.0.0.1", 600_000,
                                ProcessGroupSpec.Backend.GLOO, "bench");
                        try (DataParallel dp = DataParallel.join(spec, rank == 0 ? server : null)) {
                            return Trainer.train(rc, decoder(), MeftBenchmarks.benchRows(32, 64), dir, false,
                                    TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float, dp);
                        }
                    }));
                }
                for (Future<?> x : f) {
                    x.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
        StepMetrics.Log log = StepMetrics.read(dir.resolve(StepMetrics.FILE));
        double[] ar = log.steps().stream().filter(s -> s.step() > 1)
                .mapToDouble(s -> s.exchangeStats().map(ExchangeStats::allreduceS).orElse(0.0)).sorted().toArray();
        StepMetrics last = log.steps().get(log.steps().size() - 1);
        return new Result(log.medianStepSeconds(), ar[ar.length / 2],
                last.exchangeStats().map(ExchangeStats::allreduceBytes).orElse(0L),
                last.exchangeStats().map(ExchangeStats::denseAllreduceBytes).orElse(0L));
    }

    private static Decoder decoder() {
        ModelConfig c = MeftBenchmarks.benchModel();
        return new Decoder(c, DecoderWeights.random(c, 1, 0.02, 0.0, ComputeDevice.cpu().device(), ScalarType.Float));
    }

    static void table(boolean quick) throws Exception {
        int[] ns = quick ? new int[] {4096} : new int[] {4096, 16384};
        System.out.println("| method | N | W=1 step s | W=2 step s | W=2 / W=1 | allreduce s (share of W=2 step) "
                + "| MiB sent per step | MiB if sent dense | MEFT / Parallel Adapter bytes |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int n : ns) {
            Result pa2 = null;
            for (String m : List.of("parallel_adapter", "meft")) {
                Result one = run(m, n, 1);
                Result two = run(m, n, 2);
                pa2 = m.equals("parallel_adapter") ? two : pa2;
                System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.2f | %.3f (%.0f%%) | %.2f | %.2f | %s |%n", m, n,
                        one.stepS(), two.stepS(), two.stepS() / one.stepS(), two.allreduceS(),
                        100 * two.allreduceS() / two.stepS(), two.bytes() / 1048576.0, two.denseBytes() / 1048576.0,
                        m.equals("meft") ? String.format(Locale.ROOT, "%.3f", two.bytes() / (double) pa2.bytes()) : "1");
            }
        }
    }
}
