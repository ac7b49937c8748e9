package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.MemoryCategory;
import org.meftspark.device.MemoryLedger;
import org.meftspark.model.DecoderHooks;
import org.meftspark.optim.Seeds;

/**
 * The MEFT adapter in the decoder's forward pass (meft-method.md sections 1 to 3), as the
 * {@link DecoderHooks#ffnOutput} hook: {@code y = FFN(x) + sum_{i in S(x)} relu(a_i(x)) v_i}.
 *
 * <p>Per layer and micro-batch: (1) with Key-Experts routing the device router scores the experts
 * and keeps each token's P best; (2) the host retrieves each token's top-k neurons and their capped
 * union U; (3) {@code K[U]}, {@code V[U]} are copied to the device as leaf tensors requiring
 * gradients; (4) the device recomputes the selected scores (so autograd reaches K, V and the router),
 * applies relu and adds the weighted sum of values. After backward, {@link #collectGradients}
 * adds the gradients of the gathered rows into the host accumulators with {@code index_add_}.
 *
 * <p>A layer recomputed in backward (gradient checkpointing) runs this hook again within the same
 * micro-batch: the first pass's selection and leaves are reused, so the recomputation is exact
 * and the gradients land on the same leaves (DecoderHooks contract).
 */
public final class MeftAdapter implements DecoderHooks {

    /**
     * Settings of the adapter (section 6 has the reference values).
     *
     * @param topK          k
     * @param nProbe        P (Key-Experts only)
     * @param unionCap      L
     * @param routerSoftmax softmax over router scores before choosing experts
     * @param seed          master seed of the cap subsets
     */
    public record Settings(int topK, int nProbe, long unionCap, boolean routerSoftmax, long seed) {
    }

    /** What one layer gathered for the current micro-batch. n tokens, k top_k, M = |U|, P probes. */
    private static final class Gathered {
        NeuronUnion union; // host: rows [M], uncapped size
        Tensor local; // [n, k] int64, device
        Tensor keep; // [n, k], device, compute dtype (1 kept, 0 dropped by the cap)
        Tensor selectedExperts; // [n, k] int64, device: the expert of each selection (routing only)
        Tensor keys; // K[U] [M, d], device leaf
        Tensor values; // V[U] [M, d], device leaf
        long bytes; // device bytes of keys + values
    }

    private final HostNeuronStore store;
    private final NeuronRetriever retriever;
    /** per layer router R [E, d] on the device, trainable; empty for exact retrieval */
    private final List<Tensor> routers;
    private final Settings settings;
    private final ComputeDevice device;
    private final MemoryLedger ledger;
    private final Map<Integer, Gathered> gathered = new HashMap<>();
    private boolean training;
    private long step;
    private int microBatch;
    private long inferenceCalls;
    /** per layer, this step: summed union sizes, micro-batches, cap hits */
    private final long[] activeSum;
    private final long[] capHits;
    private int stepMicroBatches;
    private long retrievalNs;
    private long transferNs;
    /** called with a layer index before its store rows are read (waits for a pending host update) */
    private java.util.function.IntConsumer beforeLayer = l -> { };

    /**
     * @param routers per layer R [E, d] on the device (requires_grad), or an empty list for exact top-k
     * @param ledger  device memory ledger, or null
     */
    public MeftAdapter(HostNeuronStore store, NeuronRetriever retriever, List<Tensor> routers, Settings settings,
                       ComputeDevice device, MemoryLedger ledger) {
        if (!routers.isEmpty() && routers.size() != store.layers()) {
            throw new IllegalArgumentException(routers.size() + " routers for " + store.layers() + " layers");
        }
        this.store = store;
        this.retriever = retriever;
        this.routers = List.copyOf(routers);
        this.settings = settings;
        this.device = device;
        this.ledger = ledger;
        this.activeSum = new long[store.layers()];
        this.capHits = new long[store.layers()];
    }

    /**
     * Starts a training micro-batch: selections made from now on are cached per layer until
     * {@link #collectGradients}, and the cap subsets are seeded by (seed, step, micro-batch, layer).
     */
    public void beginMicroBatch(long step, int microBatch) {
        if (!gathered.isEmpty()) {
            throw new IllegalStateException("the previous micro-batch's gradients were never collected");
        }
        this.training = true;
        this.step = step;
        this.microBatch = microBatch;
        this.stepMicroBatches++;
    }

    /** Installs the wait that keeps a layer's retrieval behind its pending host update (docs/meft-schedule.md). */
    public void setBeforeLayer(java.util.function.IntConsumer wait) {
        this.beforeLayer = wait;
    }

    /** Leaves training mode (generation, evaluation): nothing is cached and no gradients are kept. */
    public void inference() {
        discardMicroBatch();
        training = false;
    }

    @Override
    public Tensor ffnOutput(int layer, Tensor ffnInput, Tensor ffnOutput) {
        long b = ffnInput.size(0), t = ffnInput.size(1), d = ffnInput.size(2);
        ScalarType dt = store.dtype();
        Tensor x = ffnInput.reshape(b * t, d).to(dt); // [n, d]
        boolean routed = !routers.isEmpty();
        Tensor gate = null; // [n, E] router scores on the device (with autograd when enabled)
        if (routed) {
            Tensor g = x.matmul(routers.get(layer).t()); // [n, E]
            gate = settings.routerSoftmax() ? g.softmax(1) : g;
        }
        Gathered gth = training ? gathered.get(layer) : null;
        if (gth == null) {
            gth = gather(layer, x, gate);
            if (training) {
                gathered.put(layer, gth);
            }
        }
        Tensor scores = x.matmul(gth.keys.t()).gather(1, gth.local); // [n, k], a_i = k_i . x
        if (routed) {
            scores = scores.mul(gate.gather(1, gth.selectedExperts)); // a_i = g_e(i) * (k_i . x), section 2 step 3
        }
        Tensor h = scores.relu().mul(gth.keep); // [n, k]
        long m = gth.keys.size(0);
        Tensor w = zeros(new long[] {x.size(0), m}, new TensorOptions(dt).device(new org.bytedeco.pytorch.DeviceOptional(x.device())))
                .scatter_add(1, gth.local, h); // [n, M]
        Tensor out = w.matmul(gth.values).view(b, t, d); // [B, T, d]
        return ffnOutput.add(out.to(ffnOutput.scalar_type().intern()));
    }

    /** Steps 1 to 3 of one layer: route, retrieve on the host, union, copy rows to the device. */
    @SuppressWarnings("try")
    private Gathered gather(int layer, Tensor x, Tensor gate) {
        beforeLayer.accept(layer);
        long t0 = System.nanoTime();
        Gathered g = new Gathered();
        HostNeuronStore.Layer rows = store.layer(layer);
        Device cpu = new Device(DeviceType.CPU);
        TokenSelection sel;
        Tensor experts = null; // [n, P] device
        try (NoGradGuard off = new NoGradGuard()) {
            Tensor xh = x.detach().to(cpu, store.dtype()); // [n, d] host
            if (gate != null) {
                T_TensorTensor_T top = gate.detach().topk(settings.nProbe(), 1, true, true);
                Tensor gv = new Tensor(top.get0()); // [n, P]
                experts = new Tensor(top.get1()); // [n, P]
                sel = retriever.keyExperts(xh, rows.keys, experts.to(cpu, ScalarType.Long), gv.to(cpu, store.dtype()));
            } else {
                sel = retriever.exact(xh, rows.keys);
            }
            long capSeed = training ? Seeds.derive(settings.seed(), step, microBatch, layer)
                    : Seeds.derive(settings.seed(), -1, inferenceCalls++, layer);
            g.union = NeuronUnion.of(sel.neurons(), settings.unionCap(), capSeed);
            long t1 = System.nanoTime();
            retrievalNs += t1 - t0;
            if (training) {
                activeSum[layer] += g.union.size();
                capHits[layer] += g.union.capHit() ? 1 : 0;
            }
            Device dev = x.device();
            g.local = g.union.local().to(dev, ScalarType.Long);
            g.keep = g.union.keep().to(dev, store.dtype());
            if (gate != null) {
                g.selectedExperts = experts.gather(1, sel.probeSlot().to(dev, ScalarType.Long)); // [n, k]
            }
            g.keys = toDevice(rows.keys.index_select(0, g.union.rows()), dev);
            g.values = toDevice(rows.values.index_select(0, g.union.rows()), dev);
            transferNs += System.nanoTime() - t1;
        }
        if (training) {
            g.keys.set_requires_grad(!store.freezeKeys());
            g.values.set_requires_grad(true);
            // The gathered rows and, from backward on, a gradient of each (section 5: "at most
            // L*2*d per layer working set and its grads"); frozen keys get no gradient.
            g.bytes = g.keys.nbytes() * (store.freezeKeys() ? 1 : 2) + g.values.nbytes() * 2;
            if (ledger != null) {
                ledger.allocate(MemoryCategory.ADAPTER_WORKING_SET, g.bytes);
            }
        }
        return g;
    }

    /** Host rows to a device leaf: asynchronously from pinned memory on a GPU, as is on the CPU. */
    private Tensor toDevice(Tensor hostRows, Device dev) {
        if (!device.cuda()) {
            return hostRows.detach();
        }
        return hostRows.pin_memory().to(dev, store.dtype(), true, false, new org.bytedeco.pytorch.MemoryFormatOptional()).detach();
    }

    /**
     * After backward: adds the gradients of every gathered {@code K[U]}, {@code V[U]} into the
     * host accumulators at rows U (section 3, backward) and releases the working set.
     */
    @SuppressWarnings("try")
    public void collectGradients() {
        long t0 = System.nanoTime();
        Device cpu = new Device(DeviceType.CPU);
        try (NoGradGuard off = new NoGradGuard()) {
            for (Map.Entry<Integer, Gathered> e : gathered.entrySet()) {
                HostNeuronStore.Layer l = store.layer(e.getKey());
                Gathered g = e.getValue();
                Tensor rows = g.union.rows();
                Tensor gv = g.values.grad();
                if (gv.defined()) {
                    l.valueGrad.index_add_(0, rows, gv.to(cpu, store.dtype()));
                }
                if (l.keyGrad != null) {
                    Tensor gk = g.keys.grad();
                    if (gk.defined()) {
                        l.keyGrad.index_add_(0, rows, gk.to(cpu, store.dtype()));
                    }
                }
                l.touched.index_fill_(0, rows, new Scalar(1));
                l.everTouched.index_fill_(0, rows, new Scalar(1));
            }
        }
        transferNs += System.nanoTime() - t0;
        discardMicroBatch();
    }

    /** Forgets the current micro-batch's gathered rows without keeping their gradients. */
    public void discardMicroBatch() {
        for (Gathered g : gathered.values()) {
            if (ledger != null && g.bytes > 0) {
                ledger.release(MemoryCategory.ADAPTER_WORKING_SET, g.bytes);
            }
        }
        gathered.clear();
    }

    /** Per-step statistics, reset by the call: mean active-set size and cap hits per layer, time split. */
    public StepStats takeStepStats() {
        List<Double> active = new ArrayList<>();
        List<Long> hits = new ArrayList<>();
        for (int l = 0; l < activeSum.length; l++) {
            active.add(stepMicroBatches == 0 ? 0.0 : activeSum[l] / (double) stepMicroBatches);
            hits.add(capHits[l]);
        }
        StepStats s = new StepStats(active, hits, retrievalNs, transferNs);
        java.util.Arrays.fill(activeSum, 0);
        java.util.Arrays.fill(capHits, 0);
        stepMicroBatches = 0;
        retrievalNs = 0;
        transferNs = 0;
        return s;
    }

    /**
     * @param activeSetSize mean |U| per layer over the step's micro-batches
     * @param capHits       micro-batches per layer whose union exceeded L
     * @param retrievalNs   routing, host retrieval and union
     * @param transferNs    gathers and copies to the device, and gradients back into the store
     */
    public record StepStats(List<Double> activeSetSize, List<Long> capHits, long retrievalNs, long transferNs) {
    }

    public HostNeuronStore store() {
        return store;
    }

    public List<Tensor> routers() {
        return routers;
    }

}
