package org.meftspark.meft;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.adapters.Adaptation;
import org.meftspark.config.AdapterSection;
import org.meftspark.distributed.DataParallel;
import org.meftspark.distributed.ExchangeStats;
import org.meftspark.distributed.GradientBuckets;
import org.meftspark.device.MemoryCategory;
import org.meftspark.device.MemoryLedger;
import org.meftspark.meft.HostAdamW;
import org.meftspark.meft.HostNeuronStore;
import org.meftspark.meft.MeftAdapter;
import org.meftspark.meft.NeuronRetriever;
import org.meftspark.model.DecoderHooks;
import org.meftspark.optim.AdamWMath;
import org.meftspark.optim.DeviceAdamW;

/**
 * MEFT in the trainer: the host neuron store and its AdamW (meft-method.md sections 3 and 4), the
 * adapter hook, and the routers, which live on the device with a plain device AdamW.
 */
public final class MeftAdaptation implements Adaptation {
    private final MeftAdapter adapter;
    private final HostNeuronStore store;
    private final HostAdamW hostOptimizer;
    private final NeuronRetriever retriever;
    /** routers by name, "meft.layers.L.router" [E, d]; empty for exact retrieval */
    private final DeviceAdamW routerOptimizer;
    private final MemoryLedger ledger;
    private final java.util.concurrent.atomic.AtomicLong hostUpdateNs = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong rowsUpdated = new java.util.concurrent.atomic.AtomicLong();
    /** single background thread for host updates when overlapping, else null */
    private final java.util.concurrent.ExecutorService updater;
    /** per layer: the host update of the previous step still running, or null */
    private final java.util.concurrent.Future<?>[] pending;
    private long waitNs;
    private boolean gradsRecorded;

    public MeftAdaptation(HostNeuronStore store, NeuronRetriever retriever, List<Tensor> routers, MeftAdapter.Settings settings,
                          HostAdamW.Mode mode, org.meftspark.device.ComputeDevice device, MemoryLedger ledger,
                          boolean overlap) {
        this.store = store;
        this.pending = new java.util.concurrent.Future<?>[store.layers()];
        this.updater = overlap ? java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "meft-host-update");
            t.setDaemon(true);
            return t;
        }) : null;
        this.retriever = retriever;
        this.ledger = ledger;
        this.adapter = new MeftAdapter(store, retriever, routers, settings, device, ledger);
        this.adapter.setBeforeLayer(this::awaitLayer);
        this.hostOptimizer = new HostAdamW(store, mode);
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int l = 0; l < routers.size(); l++) {
            named.put("meft.layers." + l + ".router", routers.get(l));
        }
        this.routerOptimizer = new DeviceAdamW(named);
        if (ledger != null) {
            long bytes = 0;
            for (Tensor r : routers) {
                bytes += r.nbytes();
            }
            ledger.allocate(MemoryCategory.TRAINABLE_PARAMS, bytes);
            ledger.allocate(MemoryCategory.OPTIMIZER_STATE, routerOptimizer.stateBytes());
        }
    }

    @Override
    public AdapterSection.Method method() {
        return AdapterSection.Method.MEFT;
    }

    @Override
    public DecoderHooks hooks() {
        return adapter;
    }

    public MeftAdapter adapter() {
        return adapter;
    }

    public HostNeuronStore store() {
        return store;
    }

    @Override
    public void beginMicroBatch(long step, int microBatch) {
        adapter.beginMicroBatch(step, microBatch);
    }

    @Override
    public void afterBackward() {
        adapter.collectGradients();
        if (!gradsRecorded && ledger != null) {
            long bytes = 0;
            for (Tensor p : routerOptimizer.params().values()) {
                bytes += p.grad().defined() ? p.grad().nbytes() : 0;
            }
            ledger.allocate(MemoryCategory.GRADIENTS, bytes);
            gradsRecorded = true;
        }
    }

    /**
     * The host store's rows by {@link SparseRowExchange} (only the union of touched rows travels), the
     * routers, which are dense and small, in buckets.
     */
    @Override
    public ExchangeStats allReduceGradients(DataParallel dp) {
        awaitAll();
        long t0 = System.nanoTime();
        long rows = SparseRowExchange.allReduce(dp, store);
        long routers = GradientBuckets.allReduce(dp, routerOptimizer.params().values(), GradientBuckets.BUCKET_BYTES,
                "MEFT router gradients");
        return new ExchangeStats(dp.worldSize(), rows + routers, SparseRowExchange.denseBytes(store) + routers,
                (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double gradNormSquared() {
        awaitAll();
        double s = routerOptimizer.gradNormSquared();
        for (int l = 0; l < store.layers(); l++) {
            s += hostOptimizer.gradNormSquared(l);
        }
        return s;
    }

    @Override
    public void step(AdamWMath.Hyper hyper, double gradScale) {
        awaitAll();
        for (int l = 0; l < store.layers(); l++) {
            final int layer = l;
            Runnable update = () -> {
                long t0 = System.nanoTime();
                rowsUpdated.addAndGet(hostOptimizer.step(layer, hyper, gradScale));
                hostUpdateNs.addAndGet(System.nanoTime() - t0);
            };
            // Overlap (docs/meft-schedule.md): layer l's rows are next read by the next forward's
            // layer l, which waits for exactly this task; earlier layers run meanwhile.
            if (updater != null) {
                pending[l] = updater.submit(update);
            } else {
                update.run();
            }
        }
        routerOptimizer.step(hyper, gradScale);
        routerOptimizer.zeroGrad();
    }

    /** Waits for the pending host update of one layer; rethrows its failure. */
    private void awaitLayer(int l) {
        java.util.concurrent.Future<?> f = pending[l];
        if (f == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the host update of layer " + l, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("host update of layer " + l + " failed: " + e.getCause(), e.getCause());
        } finally {
            pending[l] = null;
            waitNs += System.nanoTime() - t0;
        }
    }

    /** Waits for every pending host update (before reading or writing the whole store). */
    public void awaitAll() {
        for (int l = 0; l < pending.length; l++) {
            awaitLayer(l);
        }
    }

    @Override
    public void discardGradients() {
        awaitAll();
        for (int l = 0; l < store.layers(); l++) {
            hostOptimizer.discard(l);
        }
        routerOptimizer.zeroGrad();
    }

    @Override
    public Map<String, Tensor> state() {
        awaitAll();
        Map<String, Tensor> m = new LinkedHashMap<>(store.state());
        m.putAll(routerOptimizer.params());
        m.putAll(routerOptimizer.state("optimizer."));
        return m;
    }

    @Override
    @SuppressWarnings("try")
    public void load(Map<String, Tensor> state) {
        awaitAll();
        store.load(state);
        try (org.bytedeco.pytorch.NoGradGuard off = new org.bytedeco.pytorch.NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : routerOptimizer.params().entrySet()) {
                DeviceAdamW.copyInto(e.getValue(), state, e.getKey());
            }
        }
        routerOptimizer.load("optimizer.", state);
    }

    @Override
    public java.util.Optional<MeftStepStats> takeStepStats() {
        MeftAdapter.StepStats s = adapter.takeStepStats();
        // With overlap, the update of step s finishes during step s+1: rows_updated counts updates finished since the last report.
        MeftStepStats out = new MeftStepStats(s.activeSetSize(), s.capHits(), store.neuronsTouched(), rowsUpdated.getAndSet(0),
                s.retrievalNs() / 1e9, s.transferNs() / 1e9,
                updater == null ? hostUpdateNs.getAndSet(0) / 1e9 : waitNs / 1e9,
                updater == null ? 0.0 : hostUpdateNs.getAndSet(0) / 1e9);
        waitNs = 0;
        return java.util.Optional.of(out);
    }

    @Override
    public long trainableParameters() {
        long n = store.layers() * store.neurons() * store.dim() * (store.freezeKeys() ? 1 : 2);
        for (Tensor r : routerOptimizer.params().values()) {
            n += r.numel();
        }
        return n;
    }

    @Override
    public long hostBytes() {
        return store.bytes();
    }

    @Override
    public void inference() {
        awaitAll();
        adapter.inference();
    }

    @Override
    public void close() {
        try {
            awaitAll();
        } finally {
            if (updater != null) {
                updater.shutdownNow();
            }
            retriever.close();
        }
    }
}
