package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.device.TorchRuntime;
import org.meftspark.optim.AdamWMath;
import org.meftspark.optim.FloatRowAdamW;

/**
 * AdamW on the host neuron store (meft-method.md section 4), one layer at a time.
 * <ul>
 *   <li>lazy: only rows touched in this step are read and written; their moments and step counts
 *       advance, untouched rows stay exactly as they were (no decay, no momentum). O(|U| d).
 *       On rows touched in every step this is dense AdamW exactly.</li>
 *   <li>dense: every row's moments decay and every row moves with its momentum, as a dense
 *       optimizer over the whole store does. O(N d).</li>
 * </ul>
 * Gradients were accumulated over the step's micro-batches into the store; they are consumed
 * (zeroed) by the update. A lazy update of a CPU fp32 contiguous store (the training case, pinned
 * or not) runs fused per row on a few threads ({@link FusedRowUpdate}); other stores (float64 in
 * exactness tests) gather, update and scatter with libtorch. Both are the same arithmetic.
 */
public final class HostAdamW {
    /** Which rows an update touches. */
    public enum Mode { LAZY, DENSE }

    /** How a lazy update reaches the rows. */
    enum RowPath {
        /** per-row in place from Java ({@link FusedRowUpdate}): CPU fp32 contiguous stores */
        FUSED,
        /** gather [R, d] with libtorch, {@link AdamWMath#rowStep}, scatter back: every other store */
        TENSOR_OPS
    }

    private final HostNeuronStore store;
    private final Mode mode;
    /** the fused lazy update, or null when the tensor path is forced */
    private final FusedRowUpdate fused;

    /**
     * Updates rows on as many threads as libtorch's intra-op pool has, so the host update uses the
     * cores the run was given (the Spark train job sets that count from the task's CPUs) and no more.
     */
    public HostAdamW(HostNeuronStore store, Mode mode) {
        this(store, mode, TorchRuntime.threads());
    }

    /** @param threads threads for the fused lazy update, the caller's included */
    public HostAdamW(HostNeuronStore store, Mode mode, int threads) {
        this(store, mode, threads, true);
    }

    /** @param allowFused false forces the libtorch-tensor path (tests compare the two) */
    HostAdamW(HostNeuronStore store, Mode mode, int threads, boolean allowFused) {
        this.store = store;
        this.mode = mode;
        this.fused = allowFused && FusedRowUpdate.available() ? new FusedRowUpdate(threads) : null;
    }

    public Mode mode() {
        return mode;
    }

    /** The path a lazy update of this layer takes. */
    RowPath rowPath(int layer) {
        return fused != null && FusedRowUpdate.supports(store.layer(layer)) ? RowPath.FUSED : RowPath.TENSOR_OPS;
    }

    /** Rows with a gradient this step [R] int64. */
    static Tensor touchedRows(HostNeuronStore.Layer l) {
        return l.touched.nonzero().reshape(-1);
    }

    /** Squared L2 norm of the accumulated gradients of one layer (only touched rows are non-zero). */
    public double gradNormSquared(int layer) {
        HostNeuronStore.Layer l = store.layer(layer);
        try (PointerScope scope = new PointerScope()) {
            Tensor rows = touchedRows(l);
            double s = l.valueGrad.index_select(0, rows).to(ScalarType.Double).pow(new Scalar(2)).sum().item_double();
            if (l.keyGrad != null) {
                s += l.keyGrad.index_select(0, rows).to(ScalarType.Double).pow(new Scalar(2)).sum().item_double();
            }
            return s;
        }
    }

    /** Drops the accumulated gradients of a layer without updating (a skipped NaN/Inf step). */
    public void discard(int layer) {
        HostNeuronStore.Layer l = store.layer(layer);
        try (PointerScope scope = new PointerScope()) {
            Tensor rows = touchedRows(l);
            l.valueGrad.index_fill_(0, rows, new Scalar(0));
            if (l.keyGrad != null) {
                l.keyGrad.index_fill_(0, rows, new Scalar(0));
            }
            l.touched.zero_();
        }
    }

    /**
     * Updates one layer and zeroes its gradients.
     *
     * @param gradScale factor on the gradients (global-norm clipping); 1 for none
     * @return rows updated
     */
    @SuppressWarnings("try") // the guard acts by existing
    public long step(int layer, AdamWMath.Hyper h, double gradScale) {
        HostNeuronStore.Layer l = store.layer(layer);
        try (PointerScope scope = new PointerScope(); NoGradGuard off = new NoGradGuard()) {
            if (mode == Mode.DENSE) {
                l.steps.add_(new Scalar(1));
                AdamWMath.rowStep(l.values, scaled(l.valueGrad, gradScale), l.valueM, l.valueV, l.steps, h);
                l.valueGrad.zero_();
                if (l.keyGrad != null) {
                    AdamWMath.rowStep(l.keys, scaled(l.keyGrad, gradScale), l.keyM, l.keyV, l.steps, h);
                    l.keyGrad.zero_();
                }
                l.touched.zero_();
                return l.steps.size(0);
            }
            Tensor rows = touchedRows(l); // [R]
            if (rowPath(layer) == RowPath.FUSED) {
                fused.update(l, rows, FloatRowAdamW.Constants.of(h, gradScale));
            } else {
                Tensor steps = l.steps.index_select(0, rows).add(new Scalar(1)); // [R]
                l.steps.index_copy_(0, rows, steps);
                updateRows(l.values, l.valueGrad, l.valueM, l.valueV, rows, steps, h, gradScale);
                if (l.keyGrad != null) {
                    updateRows(l.keys, l.keyGrad, l.keyM, l.keyV, rows, steps, h, gradScale);
                }
            }
            l.touched.zero_();
            return rows.size(0);
        }
    }

    static Tensor scaled(Tensor g, double scale) {
        return scale == 1.0 ? g : g.mul(new Scalar(scale));
    }

    /** The tensor path: gathers rows, updates them, scatters them back; zeroes their gradient. */
    private static void updateRows(Tensor p, Tensor grad, Tensor m, Tensor v, Tensor rows, Tensor steps,
                                   AdamWMath.Hyper h, double gradScale) {
        Tensor pr = p.index_select(0, rows); // [R, d]
        Tensor gr = grad.index_select(0, rows); // [R, d]
        if (gradScale != 1.0) {
            gr.mul_(new Scalar(gradScale));
        }
        Tensor mr = m.index_select(0, rows); // [R, d]
        Tensor vr = v.index_select(0, rows); // [R, d]
        AdamWMath.rowStep(pr, gr, mr, vr, steps, h);
        p.index_copy_(0, rows, pr);
        m.index_copy_(0, rows, mr);
        v.index_copy_(0, rows, vr);
        grad.index_fill_(0, rows, new Scalar(0));
    }
}
