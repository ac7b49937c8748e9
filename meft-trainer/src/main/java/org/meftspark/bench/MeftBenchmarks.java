package org.meftspark.bench;

import static org.bytedeco.pytorch.global.torch.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.device.ComputeDevice;
import org.meftspark.meft.ExpertLayout;
import org.meftspark.meft.HostAdamW;
import org.meftspark.meft.HostNeuronStore;
import org.meftspark.meft.NeuronRetriever;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;
import org.meftspark.optim.AdamWMath;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.train.StepMetrics;
import org.meftspark.train.Trainer;
import org.meftspark.train.TrainingListener;

/**
 * Command-line benchmarks of docs/benchmarks.md. Each prints Markdown table rows; every number of a
 * table is measured in the same run, and the tables report ratios against a baseline of that run.
 * Usage: {@code MeftBenchmarks retrieval|adamw|memory|overlap|dataparallel [quick]}.
 */
public final class MeftBenchmarks {
    private static final TensorOptions F32 = new TensorOptions(ScalarType.Float);

    private MeftBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 1 && args[1].equals("quick");
        switch (args.length == 0 ? "" : args[0]) {
            case "retrieval" -> retrieval(quick);
            case "adamw" -> adamw(quick);
            case "memory" -> memory(quick);
            case "overlap" -> overlap(quick);
            case "dataparallel" -> DataParallelBenchmark.table(quick);
            default -> {
                System.err.println("usage: MeftBenchmarks retrieval|adamw|memory|overlap|dataparallel [quick]");
                System.exit(2);
            }
        }
    }

    private static Tensor randn32(long seed, long... shape) {
        Generator g = make_generator_cpu(seed);
        return randn(shape, new GeneratorOptional(g), F32);
    }

    /** Best of {@code reps} wall times in seconds (noise on shared machines only adds time). */
    private static double best(int reps, Runnable r) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            try (PointerScope s = new PointerScope()) {
                long t0 = System.nanoTime();
                r.run();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return best;
    }

    /** Benchmark 1: exact top-k versus Key-Experts retrieval per micro-batch as N grows (section 2). */
    static void retrieval(boolean quick) {
        int tokens = 2048, k = 64, p = 8;
        double f = 0.25;
        long[][] sweeps = quick ? new long[][] {{1024, 4096, 16384}} : new long[][] {
                {1024, 4096, 16384, 65536, 262144, 1048576}, {4096, 4096, 16384, 65536, 262144}};
        String regression = "regression check (issue 5): exact / Key-Experts at N = 1M: not run in quick mode";
        System.out.println("| d | N | E | predicted FLOP ratio | exact s | key-experts host s | router s | measured ratio (exact / host+router) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (long[] sweep : sweeps) {
            long d = sweep[0];
            for (int i = 1; i < sweep.length; i++) {
                long n = sweep[i];
                try (PointerScope scope = new PointerScope()) {
                    Tensor keys = randn32(1, n, d).mul_(new Scalar(0.02)); // [N, d]
                    Tensor x = randn32(2, tokens, d); // [tokens, d]
                    int e = AdapterSection.experts((int) n, f);
                    Tensor router = randn32(3, e, d).mul_(new Scalar(0.02)); // [E, d]
                    Tensor[] routed = new Tensor[2];
                    double routerS = best(3, () -> {
                        T_TensorTensor_T top = x.matmul(router.t()).softmax(1).topk(p, 1, true, true);
                        routed[0] = new Tensor(top.get0());
                        routed[1] = new Tensor(top.get1());
                        routed[0].retainReference();
                        routed[1].retainReference();
                    });
                    try (NeuronRetriever r = new NeuronRetriever(k, new ExpertLayout(n, e), Runtime.getRuntime().availableProcessors())) {
                        double ke = best(3, () -> r.keyExperts(x, keys, routed[1], routed[0]));
                        double exact = best(n >= 262144 ? 1 : 2, () -> r.exact(x, keys));
                        double predicted = (double) n / (e + (double) p * n / e);
                        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.3f | %.3f | %.3f | %.1f |%n", d, n, e, predicted,
                                exact, ke, routerS, exact / (ke + routerS));
                        if (d == 1024 && n == 1048576) {
                            regression = RegressionCheck.atLeast("issue 5", "exact / Key-Experts at N = 1M, d = 1,024",
                                    exact / (ke + routerS), 31);
                        }
                    }
                    routed[0].releaseReference();
                    routed[1].releaseReference();
                }
            }
        }
        System.out.println(regression);
    }

    /**
     * Benchmark 2: lazy host AdamW throughput against libtorch AdamW on the same rows and a memory copy.
     * The lazy update runs on libtorch's intra-op thread count (its default) and on one thread.
     */
    static void adamw(boolean quick) {
        long n = quick ? 16384 : 65536, d = 1024, rows = 4096;
        int steps = 8;
        int threads = org.meftspark.device.TorchRuntime.threads();
        // JIT warm-up on a small store, so neither measured configuration pays for compiling the row loop
        lazySeconds(4096, d, 1024, 4, threads);
        double ours = lazySeconds(n, d, rows, steps, threads);
        double oursOne = lazySeconds(n, d, rows, steps, 1);
        // libtorch's AdamW over dense [rows, d] tensors (keys and values), gradients already in place
        Tensor pk = randn32(7, rows, d).set_requires_grad(true), pv = randn32(8, rows, d).set_requires_grad(true);
        pk.mutable_grad().put(randn32(9, rows, d));
        pv.mutable_grad().put(randn32(10, rows, d));
        AdamWOptions o = new AdamWOptions(1e-4);
        o.weight_decay().put(0.01);
        AdamW ref = new AdamW(new TensorVector(pk, pv), o);
        double torchS = best(steps, ref::step);
        Tensor big = randn32(11, 1L << 28); // 1 GiB
        Tensor dst = empty_like(big);
        double copyS = best(3, () -> dst.copy_(big));
        double copyBw = 2.0 * big.nbytes() / copyS;
        // bytes the update must move per row and tensor: read p, g, m, v; write p, m, v, and zero g
        double bytes = 2.0 * rows * d * 4 * 8;
        System.out.println("| measure | value | ratio |");
        System.out.println("| --- | --- | --- |");
        System.out.printf(Locale.ROOT, "| memory copy bandwidth (1 GiB copy_, read+write) | %.2f GB/s | 1.00 |%n", copyBw / 1e9);
        System.out.printf(Locale.ROOT, "| lazy host AdamW, %d of %d rows x 2 tensors, d=%d, %d threads | %.4f s/step, %.0f rows/s, %.2f GB/s | %.2f of copy bandwidth |%n",
                rows, n, d, threads, ours, rows / ours, bytes / ours / 1e9, bytes / ours / copyBw);
        System.out.printf(Locale.ROOT, "| the same on 1 thread | %.4f s/step, %.0f rows/s, %.2f GB/s | %.2f of copy bandwidth |%n",
                oursOne, rows / oursOne, bytes / oursOne / 1e9, bytes / oursOne / copyBw);
        System.out.printf(Locale.ROOT, "| libtorch AdamW over dense [%d, %d] x 2 | %.4f s/step, %.0f rows/s, %.2f GB/s | lazy takes %.2fx its time |%n",
                rows, d, torchS, rows / torchS, bytes / torchS / 1e9, ours / torchS);
        System.out.println(RegressionCheck.atLeast("issue 5", "lazy host AdamW / copy bandwidth", bytes / ours / copyBw, 0.6));
    }

    /** Best step time of the lazy host AdamW over {@code steps} steps of {@code rows} random touched rows. */
    private static double lazySeconds(long n, long d, long rows, int steps, int threads) {
        try (PointerScope storeScope = new PointerScope()) { // frees the 2 GiB store before the next measurement
            HostNeuronStore store = HostNeuronStore.allocate(1, n, d, false, 0.02, 1, ScalarType.Float, ComputeDevice.cpu(), Long.MAX_VALUE);
            HostAdamW opt = new HostAdamW(store, HostAdamW.Mode.LAZY, threads);
            AdamWMath.Hyper h = new AdamWMath.Hyper(1e-4, 0.9, 0.999, 1e-8, 0.01);
            Random rnd = new Random(1);
            double best = Double.MAX_VALUE;
            for (int s = 0; s < steps; s++) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor idx = randperm(n, new GeneratorOptional(make_generator_cpu(rnd.nextLong())), new TensorOptions(ScalarType.Long))
                            .narrow(0, 0, rows);
                    HostNeuronStore.Layer l = store.layer(0);
                    Tensor g = randn32(s, rows, d);
                    l.valueGrad.index_add_(0, idx, g);
                    l.keyGrad.index_add_(0, idx, g);
                    l.touched.index_fill_(0, idx, new Scalar(1));
                    long t0 = System.nanoTime();
                    opt.step(0, h, 1.0);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
            }
            return best;
        }
    }

    static ModelConfig benchModel() {
        return new ModelConfig(ModelConfig.LLAMA, 259, 512, 1376, 4, 8, 8, 64, 1e-5, 10000.0, 512, true,
                OptionalInt.empty(), 256, List.of(257), "float32");
    }

    static List<TokenizedExample> benchRows(int n, int len) {
        Random r = new Random(3);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[len];
            for (int j = 0; j < len; j++) {
                ids[j] = r.nextInt(256);
            }
            out.add(new TokenizedExample("b" + i, "bench", "train", ids, 8, List.of(), "bench", 0));
        }
        return out;
    }

    /** Runs a few steps; returns {median step s of the steps after the first, device ledger total peak bytes, host bytes}. */
    static double[] trainSteps(String method, int neurons, String extra) throws Exception {
        ModelConfig c = benchModel();
        Decoder dec = new Decoder(c, DecoderWeights.random(c, 1, 0.02, 0.0, ComputeDevice.cpu().device(), ScalarType.Float));
        String yaml = """
                adapter: {method: %s, neurons: %d, top_k: 32, expert_factor: 1.0, n_probe: 4, union_cap: 512, lora_rank: 8}
                training: {max_steps: 4, micro_batch_size: 4, gradient_accumulation: 1, checkpoint_every: 0, learning_rate: 0.0001}
                """.formatted(method, neurons);
        RunConfig rc = RunConfigLoader.parse(yaml, "bench", extra.isEmpty() ? List.of() : List.of(extra.split(";")));
        Path dir = Files.createTempDirectory("meft-bench");
        try {
            Trainer.train(rc, dec, benchRows(16, 64), dir, false, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
            StepMetrics.Log log = StepMetrics.read(dir.resolve(StepMetrics.FILE));
            return new double[] {log.medianStepSeconds(), log.peakDeviceBytes(), log.hostBytes()};
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }

    /** Benchmark 3: step time and device-ledger bytes per method as N grows 16x. */
    static void memory(boolean quick) throws Exception {
        int[] ns = quick ? new int[] {1024, 4096} : new int[] {1024, 4096, 16384};
        System.out.println("| N | method | step s | device ledger peak MiB | host MiB | device bytes vs N=" + ns[0] + " | step time vs parallel adapter |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        double[] meftBase = null, paBase = null;
        double[] meftLast = null, paLast = null;
        for (int n : ns) {
            double[] meft = trainSteps("meft", n, "");
            double[] pa = trainSteps("parallel_adapter", n, "");
            meftLast = meft;
            paLast = pa;
            meftBase = meftBase == null ? meft : meftBase;
            paBase = paBase == null ? pa : paBase;
            System.out.printf(Locale.ROOT, "| %d | meft | %.3f | %.1f | %.1f | %.3f | %.2f |%n", n, meft[0], meft[1] / 1048576, meft[2] / 1048576,
                    meft[1] / meftBase[1], meft[0] / pa[0]);
            System.out.printf(Locale.ROOT, "| %d | parallel_adapter | %.3f | %.1f | 0 | %.3f | 1.00 |%n", n, pa[0], pa[1] / 1048576,
                    pa[1] / paBase[1]);
            if (n == ns[0]) {
                for (String m : List.of("lora", "full")) {
                    double[] r = trainSteps(m, n, "");
                    System.out.printf(Locale.ROOT, "| any | %s | %.3f | %.1f | 0 | 1 (no N) | %.2f |%n", m, r[0], r[1] / 1048576, r[0] / pa[0]);
                }
            }
        }
        int last = ns[ns.length - 1];
        System.out.println(RegressionCheck.atMost("issue 5", "MEFT device bytes at N = " + last + " / at N = " + ns[0],
                meftLast[1] / meftBase[1], 1.10));
        System.out.println(RegressionCheck.atMost("issue 5", "MEFT step / Parallel Adapter step at N = " + last,
                meftLast[0] / paLast[0], last >= 16384 ? 0.10 : 0.5));
    }

    /** Benchmark 4: MEFT step time with the host update overlapped with the next forward, and without. */
    static void overlap(boolean quick) throws Exception {
        int n = quick ? 8192 : 32768;
        System.out.println("| optimizer mode | N | step s serial | step s overlapped | overlapped / serial |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (String mode : List.of("lazy", "dense")) {
            // Alternate the two schedules three times and keep each one's best median step time:
            // the machine's load drifts over minutes, and alternation spreads it over both.
            double serial = Double.MAX_VALUE, over = Double.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                serial = Math.min(serial, trainSteps("meft", n, "training.optimizer_mode=" + mode + ";training.overlap_host_update=false")[0]);
                over = Math.min(over, trainSteps("meft", n, "training.optimizer_mode=" + mode + ";training.overlap_host_update=true")[0]);
            }
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.2f |%n", mode, n, serial, over, over / serial);
        }
    }
}
