package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.meftspark.device.BlasThreads;
import org.meftspark.device.Scopes;

/**
 * Host-side neuron retrieval (meft-method.md sections 1 and 2). All work is libtorch kernels over
 * blocks of keys; Java only loops over blocks.
 * <ul>
 *   <li>{@link #exact}: scores {@code x K^T} against all N keys, in chunks of keys so the score
 *       matrix stays bounded, merging running top-k lists (libtorch's own threads run the matmuls).</li>
 *   <li>{@link #keyExperts}: only the keys of each token's P routed experts are scored, scaled by the
 *       router score. Token-expert pairs are grouped by expert so each expert's contiguous key block
 *       is read once per micro-batch, and the groups are spread over a pool of host threads.</li>
 * </ul>
 */
public final class NeuronRetriever implements AutoCloseable {
    /** Upper bound on one chunk's score matrix in exact retrieval, in elements (64 MiB of fp32). */
    private static final long EXACT_CHUNK_ELEMENTS = 16L << 20;

    private final int topK;
    private final ExpertLayout layout;
    private final int threads;
    private final ExecutorService pool;
    private long exactChunkElements = EXACT_CHUNK_ELEMENTS;

    /**
     * @param topK    k, neurons per token
     * @param layout  the expert blocks, or null for exact retrieval only
     * @param threads host threads for Key-Experts scoring (1 runs on the caller's thread)
     */
    public NeuronRetriever(int topK, ExpertLayout layout, int threads) {
        this.topK = topK;
        this.layout = layout;
        this.threads = Math.max(1, threads);
        this.pool = this.threads > 1 ? Executors.newFixedThreadPool(this.threads, r -> {
            // Each worker scores small per-expert blocks: libtorch must not open an OpenMP team per
            // op inside it (with several workers that oversubscribes the cores, and with
            // OMP_WAIT_POLICY=PASSIVE every op pays a wake-up). The thread count is per OS thread.
            Thread t = new Thread(() -> {
                set_num_threads(1);
                r.run();
            }, "meft-retrieval");
            t.setDaemon(true);
            return t;
        }) : null;
        if (layout != null && (long) topK > layout.neurons()) {
            throw new IllegalArgumentException("top_k " + topK + " exceeds the " + layout.neurons() + " keys");
        }
    }

    /**
     * Exact top-k over all keys (section 1).
     *
     * @param x    [n, d] host, the keys' dtype
     * @param keys [N, d] host
     */
    public TokenSelection exact(Tensor x, Tensor keys) {
        long n = x.size(0), total = keys.size(0);
        long chunk = Math.max(topK, Math.min(total, exactChunkElements / Math.max(1, n)));
        Tensor bestScores = null; // [n, k]
        Tensor bestIds = null; // [n, k] int64
        for (long c0 = 0; c0 < total; c0 += chunk) {
            final long from = c0, c = Math.min(chunk, total - c0);
            final Tensor prevScores = bestScores, prevIds = bestIds;
            Tensor[] best = Scopes.keep(() -> {
                Tensor s = x.matmul(keys.narrow(0, from, c).t()); // [n, c]
                int kk = (int) Math.min(topK, c);
                T_TensorTensor_T top = s.topk(kk, 1, true, true);
                Tensor vals = new Tensor(top.get0()); // [n, kk]
                Tensor ids = new Tensor(top.get1()).add(new Scalar(from)); // [n, kk]
                if (prevScores != null) {
                    vals = cat(new TensorVector(prevScores, vals), 1);
                    ids = cat(new TensorVector(prevIds, ids), 1);
                    T_TensorTensor_T merged = vals.topk(Math.min(topK, vals.size(1)), 1, true, true);
                    Tensor pos = new Tensor(merged.get1());
                    vals = new Tensor(merged.get0());
                    ids = ids.gather(1, pos);
                }
                return new Tensor[] {vals, ids};
            });
            bestScores = best[0];
            bestIds = best[1];
        }
        return new TokenSelection(bestIds, bestScores, null);
    }

    /**
     * Key-Experts retrieval (section 2, steps 3 and 4): candidate scores {@code g_e(i) * (k_i . x)}
     * for the keys of each token's probed experts, then the top-k among them.
     *
     * @param x       [n, d] host, the keys' dtype
     * @param keys    [N, d] host
     * @param experts [n, P] int64 host, the probed experts of each token (from the device router)
     * @param gate    [n, P] host, the router score of each probed expert
     */
    public TokenSelection keyExperts(Tensor x, Tensor keys, Tensor experts, Tensor gate) {
        if (layout == null) {
            throw new IllegalStateException("this retriever was built without an expert layout");
        }
        long n = x.size(0), p = experts.size(1), smax = layout.maxSize();
        if (topK > p * layout.minSize()) {
            // otherwise a token could be left with fewer than k real candidates (AdapterSection checks this too)
            throw new IllegalArgumentException("top_k " + topK + " exceeds the " + p * layout.minSize()
                    + " candidate keys of " + p + " probed experts of at least " + layout.minSize() + " keys");
        }
        long pairs = n * p;
        TensorOptions i64 = new TensorOptions(ScalarType.Long);
        Tensor flatExperts = experts.reshape(pairs); // [n*P]
        // Group pairs by expert: a stable sort keeps each expert's tokens in token order.
        T_TensorTensor_T sorted = sort(flatExperts, new org.bytedeco.pytorch.BoolOptional(true), 0, false);
        Tensor sortedExperts = new Tensor(sorted.get0()).contiguous(); // [n*P]
        Tensor order = new Tensor(sorted.get1()).contiguous(); // [n*P] pair index
        // pair j belongs to token j / P (integer division done by indexing: the String rounding-mode
        // argument of div does not survive the JavaCPP call)
        Tensor tokenOfPair = arange(new Scalar(0), new Scalar(n), i64).unsqueeze(1).expand(n, p).reshape(pairs); // [n*P]
        Tensor sortedTokens = tokenOfPair.index_select(0, order); // [n*P]
        Tensor sortedGate = gate.reshape(pairs).index_select(0, order).unsqueeze(1); // [n*P, 1]
        Tensor counts = bincount(flatExperts, new org.bytedeco.pytorch.TensorOptional(), layout.experts()); // [E]
        long[] count = new long[layout.experts()];
        new LongPointer(counts.contiguous().data_ptr()).capacity(count.length).get(count);

        Tensor cand = full(new long[] {pairs, smax}, new Scalar(Double.NEGATIVE_INFINITY),
                new TensorOptions(x.scalar_type().intern())); // [n*P, smax], rows in sorted order
        // Runs of equal experts, split into `threads` contiguous ranges of similar work.
        List<long[]> runs = new ArrayList<>(); // {expert, firstRow, rows}
        long row = 0;
        for (int e = 0; e < count.length; e++) {
            if (count[e] > 0) {
                runs.add(new long[] {e, row, count[e]});
                row += count[e];
            }
        }
        Runnable[] work = new Runnable[threads];
        int per = (runs.size() + threads - 1) / threads;
        for (int t = 0; t < threads; t++) {
            List<long[]> mine = runs.subList(Math.min(runs.size(), t * per), Math.min(runs.size(), (t + 1) * per));
            work[t] = () -> {
                for (long[] r : mine) {
                    try (PointerScope scope = new PointerScope()) {
                        int e = (int) r[0];
                        Tensor tok = sortedTokens.narrow(0, r[1], r[2]); // [c]
                        Tensor xs = x.index_select(0, tok); // [c, d]
                        Tensor block = keys.narrow(0, layout.start(e), layout.size(e)); // [size_e, d]
                        Tensor sc = xs.matmul(block.t()).mul_(sortedGate.narrow(0, r[1], r[2])); // [c, size_e]
                        cand.narrow(0, r[1], r[2]).narrow(1, 0, layout.size(e)).copy_(sc);
                    }
                }
            };
        }
        // Each product is small (a few tokens against one expert's block) and the workers are the parallelism: with
        // OpenBLAS's pool at two threads as well, each call hands off to a second thread and both workers' products
        // contend for the cores; one BLAS thread per product was 1.3x faster at N = 1M (docs/benchmarks.md, issue 20
        // item 2). The pool is per process, so it is restored right after.
        int blas = BlasThreads.get();
        boolean pin = pool != null && blas > 1;
        if (pin) {
            BlasThreads.set(1);
        }
        try {
            runAll(work);
        } finally {
            if (pin) {
                BlasThreads.set(blas);
            }
        }
        // Back to pair order: row `order[j]` of the unsorted matrix is row j of the sorted one.
        Tensor unsorted = empty_like(cand).index_copy_(0, order, cand).view(n, p * smax); // [n, P*smax]
        Tensor ids = layout.starts().index_select(0, flatExperts).view(n, p, 1)
                .add(arange(new Scalar(0), new Scalar(smax), i64).view(1, 1, smax)).view(n, p * smax); // [n, P*smax]
        T_TensorTensor_T top = unsorted.topk(topK, 1, true, true);
        Tensor scores = new Tensor(top.get0()); // [n, k]
        Tensor pos = new Tensor(top.get1()); // [n, k]
        Tensor neurons = ids.gather(1, pos);
        Tensor slotOfColumn = arange(new Scalar(0), new Scalar(p), i64).unsqueeze(1).expand(p, smax).reshape(p * smax); // [P*smax]
        Tensor slot = slotOfColumn.index_select(0, pos.reshape(-1)).view(n, topK); // [n, k]
        return new TokenSelection(neurons, scores, slot);
    }

    private void runAll(Runnable[] work) {
        if (pool == null) {
            for (Runnable r : work) {
                r.run();
            }
            return;
        }
        List<Future<?>> fs = new ArrayList<>();
        for (Runnable r : work) {
            fs.add(pool.submit(r));
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("retrieval interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("retrieval failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /** Smaller chunks, so tests exercise the merging of partial top-k lists. */
    NeuronRetriever withExactChunkElements(long elements) {
        this.exactChunkElements = elements;
        return this;
    }

    public int topK() {
        return topK;
    }

    public ExpertLayout layout() {
        return layout;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
