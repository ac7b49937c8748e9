package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.optim.AdamWMath;

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
 * (zeroed) by the update.
 */
public final class HostAdamW {
    /** Which rows an update touches. */
    public enum Mode { LAZY, DENSE }

    private final HostNeuronStore store;
    private final Mode mode;
    /** lazy-mode scratch rows, grown on demand and reused: p, g, m, v, work, each [capacity, d] */
    private Tensor[] scratch = new Tensor[0];
    private long capacity;

    public HostAdamW(HostNeuronStore store, Mode mode) {
        this.store = store;
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
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
            Tensor steps = l.steps.index_select(0, rows).add(new Scalar(1)); // [R]
            l.steps.index_copy_(0, rows, steps);
            updateRows(l.values, l.valueGrad, l.valueM, l.valueV, rows, steps, h, gradScale);
            if (l.keyGrad != null) {
                updateRows(l.keys, l.keyGrad, l.keyM, l.keyV, rows, steps, h, gradScale);
            }
            l.touched.zero_();
            return rows.size(0);
        }
    }

    static Tensor scaled(Tensor g, double scale) {
        return scale == 1.0 ? g : g.mul(new Scalar(scale));
    }

    /** Scratch rows [r, d] (views of buffers kept across steps, so large steps do not page-fault fresh memory). */
    private Tensor[] scratch(long r) {
        if (r > capacity) {
            capacity = Math.max(r, capacity * 3 / 2);
            for (Tensor old : scratch) {
                old.releaseReference();
            }
            scratch = new Tensor[5];
            for (int i = 0; i < 5; i++) {
                scratch[i] = empty(new long[] {capacity, store.dim()}, new org.bytedeco.pytorch.TensorOptions(store.dtype()),
                        new org.bytedeco.pytorch.MemoryFormatOptional());
                scratch[i].retainReference(); // outlives the step's PointerScope
            }
        }
        Tensor[] v = new Tensor[5];
        for (int i = 0; i < 5; i++) {
            v[i] = scratch[i].narrow(0, 0, r);
        }
        return v;
    }

    /** Gathers rows, updates them, scatters them back; zeroes their gradient. */
    private void updateRows(Tensor p, Tensor grad, Tensor m, Tensor v, Tensor rows, Tensor steps,
                            AdamWMath.Hyper h, double gradScale) {
        Tensor[] w = scratch(rows.size(0)); // each [R, d]
        index_select_out(w[0], p, 0, rows);
        index_select_out(w[1], grad, 0, rows);
        if (gradScale != 1.0) {
            w[1].mul_(new Scalar(gradScale));
        }
        index_select_out(w[2], m, 0, rows);
        index_select_out(w[3], v, 0, rows);
        AdamWMath.rowStep(w[0], w[1], w[2], w[3], steps, h, w[4]);
        p.index_copy_(0, rows, w[0]);
        m.index_copy_(0, rows, w[2]);
        v.index_copy_(0, rows, w[3]);
        grad.index_fill_(0, rows, new Scalar(0));
    }
}
