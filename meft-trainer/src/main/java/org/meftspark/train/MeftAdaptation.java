package org.meftspark.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.config.AdapterSection;
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
    private long hostUpdateNs;
    private long rowsUpdated;
    private boolean gradsRecorded;

    public MeftAdaptation(HostNeuronStore store, NeuronRetriever retriever, List<Tensor> routers, MeftAdapter.Settings settings,
                          HostAdamW.Mode mode, org.meftspark.device.ComputeDevice device, MemoryLedger ledger) {
        this.store = store;
        this.retriever = retriever;
        this.ledger = ledger;
        this.adapter = new MeftAdapter(store, retriever, routers, settings, device, ledger);
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

    @Override
    public double gradNormSquared() {
        double s = routerOptimizer.gradNormSquared();
        for (int l = 0; l < store.layers(); l++) {
            s += hostOptimizer.gradNormSquared(l);
        }
        return s;
    }

    @Override
    public void step(AdamWMath.Hyper hyper, double gradScale) {
        long t0 = System.nanoTime();
        for (int l = 0; l < store.layers(); l++) {
            rowsUpdated += hostOptimizer.step(l, hyper, gradScale);
        }
        hostUpdateNs += System.nanoTime() - t0;
        routerOptimizer.step(hyper, gradScale);
        routerOptimizer.zeroGrad();
    }

    @Override
    public void discardGradients() {
        for (int l = 0; l < store.layers(); l++) {
            hostOptimizer.discard(l);
        }
        routerOptimizer.zeroGrad();
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>(store.state());
        m.putAll(routerOptimizer.params());
        m.putAll(routerOptimizer.state("optimizer."));
        return m;
    }

    @Override
    @SuppressWarnings("try")
    public void load(Map<String, Tensor> state) {
        store.load(state);
        try (org.bytedeco.pytorch.NoGradGuard off = new org.bytedeco.pytorch.NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : routerOptimizer.params().entrySet()) {
                DeviceAdamW.copyInto(e.getValue(), state, e.getKey());
            }
        }
        routerOptimizer.load("optimizer.", state);
    }

    @Override
    public void stepMetrics(Map<String, Object> out) {
        MeftAdapter.StepStats s = adapter.takeStepStats();
        out.put("active_set_size", s.activeSetSize());
        out.put("cap_hits", s.capHits());
        out.put("neurons_touched", store.neuronsTouched());
        out.put("rows_updated", rowsUpdated);
        out.put("retrieval_s", s.retrievalNs() / 1e9);
        out.put("transfer_s", s.transferNs() / 1e9);
        out.put("host_update_s", hostUpdateNs / 1e9);
        hostUpdateNs = 0;
        rowsUpdated = 0;
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
        adapter.inference();
    }

    @Override
    public void close() {
        retriever.close();
    }
}
