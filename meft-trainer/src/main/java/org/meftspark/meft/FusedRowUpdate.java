package org.meftspark.meft;

import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.optim.FloatRowAdamW;

/**
 * Lazy AdamW (meft-method.md section 4) fused per row, for stores whose tensors are contiguous CPU
 * fp32 (pinned host memory included): each touched row of parameter, gradient and both moments is
 * updated in place in the store's memory by {@link FloatRowAdamW} (vector loads and stores through
 * {@link HostRows}' direct buffers), its gradient zeroed and its step count advanced. Nothing is
 * gathered into or scattered from [R, d] tensors and nothing is copied to scratch, so the update
 * moves each touched value once (read p, g, m, v; write p, m, v, zero g). Rows are independent, so
 * the result does not depend on the thread count or on which thread takes which row.
 */
final class FusedRowUpdate {
    /** Rows a thread claims at a time: small enough to balance two threads on a shared machine. */
    private static final int BLOCK_ROWS = 64;

    /**
     * Sink for the touch-ahead loads, so the JIT cannot drop them. Touching the first cache line of
     * the next row's pages while the current row computes starts their DRAM misses early (random
     * rows are separate 4 KiB pages, where the hardware prefetcher does not follow). Measured as
     * single-thread CPU time of a benchmark step (docs/benchmarks.md section 2) on the shared
     * machine under load 13 to 17: 28 ms without, 24 ms touching one line of the next row, 27 ms
     * with 8 lines, 25 ms two rows ahead; in alternating steps of this class, 27.6 ms without and
     * 23.3 ms with (medians of 30).
     */
    @SuppressWarnings("unused")
    private static volatile float touchSink;

    private final int threads;
    /** threads - 1 helpers (the caller works too), or null with one thread */
    private final ExecutorService helpers;

    /** @param threads threads that update rows, the caller's included (at least 1) */
    FusedRowUpdate(int threads) {
        this.threads = Math.max(1, threads);
        if (this.threads == 1) {
            this.helpers = null;
        } else {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(this.threads - 1, this.threads - 1, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "meft-host-adamw");
                        t.setDaemon(true);
                        return t;
                    });
            // idle helpers exit, so an optimizer that is dropped without a close leaks no threads
            pool.allowCoreThreadTimeOut(true);
            this.helpers = pool;
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Whether this JVM has the Vector API module the row kernel needs. The project's launchers add it
     * ({@code --add-modules=jdk.incubator.vector} in .mvn/jvm.config); a JVM started without it (the
     * library embedded elsewhere) takes the libtorch-tensor path instead of failing on the first step.
     */
    static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * The fallback decision: the fused path reads tensor memory from Java as float, so it needs
     * host memory, fp32 and a row-major contiguous layout. Anything else (a float64 store in
     * exactness tests, a store that is not on the host) takes the libtorch-tensor path.
     */
    static boolean supports(boolean cpu, ScalarType dtype, boolean contiguous) {
        return cpu && dtype == ScalarType.Float && contiguous; // dtype interned by the caller
    }

    /** Whether every tensor a lazy update of this layer touches qualifies. */
    static boolean supports(HostNeuronStore.Layer l) {
        for (Tensor t : new Tensor[] {l.values, l.valueGrad, l.valueM, l.valueV, l.keys, l.keyGrad, l.keyM, l.keyV}) {
            if (t != null && !(supports(t.is_cpu(), t.scalar_type().intern(), t.is_contiguous()) && t.dim() == 2)) {
                return false;
            }
        }
        return l.steps.is_cpu() && l.steps.scalar_type().intern() == ScalarType.Long && l.steps.is_contiguous();
    }

    /** One tensor's parameter, gradient and moments as row views. */
    private record Rows(HostRows p, HostRows g, HostRows m, HostRows v) {
        static Rows of(Tensor p, Tensor g, Tensor m, Tensor v) {
            return new Rows(new HostRows(p), new HostRows(g), new HostRows(m), new HostRows(v));
        }
    }

    /**
     * Updates the given rows of one layer in place and advances their step counts.
     *
     * @param l    the layer; {@link #supports(HostNeuronStore.Layer)} must hold
     * @param rows the touched rows [R] int64, each once (the non-zeros of the touched mask)
     */
    void update(HostNeuronStore.Layer l, Tensor rows, FloatRowAdamW.Constants c) {
        int r = Math.toIntExact(rows.size(0));
        long[] ids = new long[r];
        new LongPointer(rows.contiguous().data_ptr()).capacity(r).get(ids);
        long[] stepAfter = advanceSteps(l.steps, ids);
        List<Rows> tensors = new ArrayList<>(2);
        tensors.add(Rows.of(l.values, l.valueGrad, l.valueM, l.valueV));
        if (l.keyGrad != null) {
            tensors.add(Rows.of(l.keys, l.keyGrad, l.keyM, l.keyV));
        }
        int d = Math.toIntExact(l.values.size(1));
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            float touched = 0;
            for (int from = next.getAndAdd(BLOCK_ROWS); from < r; from = next.getAndAdd(BLOCK_ROWS)) {
                for (int i = from, to = Math.min(r, from + BLOCK_ROWS); i < to; i++) {
                    long row = ids[i];
                    if (i + 1 < r) {
                        for (Rows t : tensors) {
                            touched += t.p.first(ids[i + 1]) + t.g.first(ids[i + 1]) + t.m.first(ids[i + 1]) + t.v.first(ids[i + 1]);
                        }
                    }
                    float sqrtBc2 = c.sqrtBias2(stepAfter[i]), stepSize = c.stepSize(stepAfter[i]);
                    for (Rows t : tensors) {
                        // the four matrices have the same shape, so the row sits at the same place in each
                        FloatRowAdamW.update(t.p.segment(row), t.g.segment(row), t.m.segment(row), t.v.segment(row),
                                t.p.offset(row), d, c, sqrtBc2, stepSize);
                    }
                }
            }
            touchSink = touched;
        };
        runOnAll(worker, (r + BLOCK_ROWS - 1) / BLOCK_ROWS);
    }

    /** steps[row] += 1 for each row; returns the new counts in the order of {@code ids}. */
    private static long[] advanceSteps(Tensor steps, long[] ids) {
        long n = steps.size(0);
        LongBuffer s = new LongPointer(steps.data_ptr()).position(0).limit(n).asBuffer();
        long[] after = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            int row = Math.toIntExact(ids[i]);
            after[i] = s.get(row) + 1;
            s.put(row, after[i]);
        }
        return after;
    }

    /** Runs the worker on the caller and on up to threads - 1 helpers, and waits for all of them. */
    private void runOnAll(Runnable worker, int blocks) {
        int extra = helpers == null ? 0 : Math.min(threads - 1, blocks - 1);
        List<Future<?>> started = new ArrayList<>(extra);
        for (int i = 0; i < extra; i++) {
            started.add(helpers.submit(worker));
        }
        RuntimeException failure = null;
        try {
            worker.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        // Wait for every helper, even after a failure or an interrupt: none may still write the
        // store once this returns (a helper finishes its blocks in milliseconds).
        boolean interrupted = false;
        for (Future<?> f : started) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : new IllegalStateException("host AdamW helper failed: " + e.getCause(), e.getCause());
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
