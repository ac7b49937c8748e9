package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.meftspark.config.RunConfig;
import org.meftspark.device.ComputeDevice;
import org.meftspark.distributed.DataParallel;
import org.meftspark.distributed.ProcessGroupSpec;
import org.meftspark.tokenize.TokenizedExample;

/**
 * Issue 17 at the library level: ranks as threads of this JVM, joined by a real c10d TCPStore and Gloo
 * process group on 127.0.0.1, sharing one run directory (the Spark test runs them as executors). A W-rank
 * run equals the one-rank run with the same global batch; replicas end bit-identical; a run resumes with
 * another W; a rank that stops answering fails the others within the timeout, named.
 */
@Timeout(300)
class DataParallelTrainingTest {
    @TempDir
    Path tmp;

    private static final List<TokenizedExample> ROWS = TrainerTest.rows(16, 10);

    /** Six steps of global batch 4 (micro-batch 2): one rank accumulates 2 micro-batches, two ranks 1 each. */
    private static RunConfig config(String method, int ranks, String extra) {
        return TrainerTest.config(method, "training.max_steps=6;training.checkpoint_every=3;training.data_parallel="
                + ranks + ";training.gradient_accumulation=" + (2 / ranks) + ";training.collective_timeout_s=20" + extra);
    }

    /** Runs {@code ranks} ranks of {@code cfg(rank)} in {@code dir}; each rank's result in rank order. */
    static List<TrainingResult> train(int ranks, IntFunction<RunConfig> cfg, Path dir, boolean resume,
                                      IntFunction<TrainingListener> listener) throws Exception {
        if (ranks == 1) {
            return List.of(Trainer.train(cfg.apply(0), TrainerTest.decoder(ScalarType.Float), ROWS, dir, resume,
                    listener.apply(0), ComputeDevice.cpu(), ScalarType.Float));
        }
        long timeoutMs = cfg.apply(0).training().collectiveTimeoutS() * 1000L;
        TCPStore server = DataParallel.serveStore(timeoutMs);
        int port = DataParallel.port(server);
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            List<Future<TrainingResult>> futures = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                final int rank = r;
                futures.add(pool.submit(() -> {
                    ProcessGroupSpec spec = new ProcessGroupSpec(rank, ranks, "127.0.0.1", port, "127.0.0.1", timeoutMs,
                            ProcessGroupSpec.Backend.GLOO, "test");
                    try (DataParallel dp = DataParallel.join(spec, rank == 0 ? server : null)) {
                        return Trainer.train(cfg.apply(rank), TrainerTest.decoder(ScalarType.Float), ROWS, dir, resume,
                                listener.apply(rank), ComputeDevice.cpu(), ScalarType.Float, dp);
                    }
                }));
            }
            List<TrainingResult> out = new ArrayList<>();
            for (Future<TrainingResult> f : futures) {
                out.add(f.get(240, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The latest checkpoint's tensors as doubles, by name. */
    static Map<String, double[]> finalState(Path runDir) {
        Map<String, double[]> out = new LinkedHashMap<>();
        Checkpoints.readTensors(Checkpoints.latest(runDir).orElseThrow(), m -> {
            for (Map.Entry<String, Tensor> e : m.entrySet()) {
                Tensor t = e.getValue().to(ScalarType.Double).contiguous().reshape(-1);
                double[] v = new double[(int) t.numel()];
                t.data_ptr_double().get(v);
                out.put(e.getKey(), v);
            }
        });
        return out;
    }

    /** Every tensor of {@code got} within {@code rel} of {@code want}'s largest magnitude. */
    static void assertClose(Map<String, double[]> got, Map<String, double[]> want, double rel) {
        assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
        for (String k : want.keySet()) {
            double[] a = got.get(k);
            double[] b = want.get(k);
            double scale = 1e-12;
            double diff = 0;
            for (int i = 0; i < b.length; i++) {
                scale = Math.max(scale, Math.abs(b[i]));
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertThat(diff / scale).as(k + " (max |diff| " + diff + ", scale " + scale + ")").isLessThanOrEqualTo(rel);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"meft, key_experts", "meft, exact", "lora, -", "parallel_adapter, -"})
    void twoRanksEqualOneRankWithTheSameGlobalBatchAndEndBitIdentical(String method, String routing) throws Exception {
        String extra = routing.equals("-") ? "" : ";adapter.routing=" + routing;
        Path one = tmp.resolve("one");
        Path two = tmp.resolve("two");
        train(1, r -> config(method, 1, extra), one, false, r -> TrainingListener.NONE);
        List<TrainingResult> ranks = train(2, r -> config(method, 2, extra), two, false, r -> TrainingListener.NONE);
        assertThat(ranks).allSatisfy(r -> assertThat(r.stepsDone()).isEqualTo(6));
        assertThat(ranks.get(0).stateSha256()).as("replica checksum per rank").isNotNull()
                .isEqualTo(ranks.get(1).stateSha256());
        assertClose(finalState(two), finalState(one), 1e-5);
        List<StepMetrics> lines = StepMetrics.read(two.resolve(StepMetrics.FILE)).steps();
        assertThat(lines).as("rank 0 alone writes the metrics").hasSize(6);
        assertThat(lines.get(5).exchangeStats()).hasValueSatisfying(e -> {
            assertThat(e.ranks()).isEqualTo(2);
            assertThat(e.allreduceBytes()).isPositive();
            assertThat(e.denseAllreduceBytes()).isPositive(); // MEFT's sparse bytes: SparseRowExchangeTest
        });
        assertThat(StepMetrics.read(one.resolve(StepMetrics.FILE)).steps().get(5).exchangeStats()).isEmpty();
    }

    /** Stops a run after step 3 (its checkpoint), as a lost executor would leave it. */
    private static TrainingListener stopAt3() {
        return new TrainingListener() {
            @Override
            public boolean shouldStop(long stepsDone) {
                return stepsDone >= 3;
            }
        };
    }

    @ParameterizedTest(name = "{0} -> {1} ranks")
    @CsvSource({"2, 1", "1, 2"})
    void aRunResumesWithAnotherNumberOfRanksForTheSameGlobalBatch(int before, int after) throws Exception {
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        train(1, r -> config("meft", 1, ""), whole, false, r -> TrainingListener.NONE);
        assertThat(train(before, r -> config("meft", before, ""), parts, false, r -> stopAt3()).get(0).stopped()).isTrue();
        train(after, r -> config("meft", after, ""), parts, true, r -> TrainingListener.NONE);
        assertClose(finalState(parts), finalState(whole), 1e-5);
        assertThat(StepMetrics.read(parts.resolve(StepMetrics.FILE)).steps()).extracting(StepMetrics::step)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void aRankThatStopsAnsweringFailsTheOthersWithinTheTimeoutNamingIt() throws Exception {
        // Rank 1 stops in its step-2 report for longer than the 2 s timeout; rank 0 waits in the next collective.
        IntFunction<TrainingListener> stall = r -> new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (r == 1 && m.step() == 2) {
                    try {
                        Thread.sleep(8000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> train(2, r -> config("parallel_adapter", 2, ";training.collective_timeout_s=2"),
                tmp.resolve("stall"), false, stall))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DataParallel.CollectiveException.class)
                .hasMessageContaining("the all-reduce of the stop decision failed on rank 0 of 2 at step 2 after 2.0 s")
                .hasMessageContaining("rank 1 stopped answering (its last collective: the all-reduce of parallel_adapter "
                        + "gradients of step 2)");
        assertThat((System.nanoTime() - t0) / 1e9).as("failed at the timeout, not at rank 1's return").isLessThan(8.0);
    }
}
