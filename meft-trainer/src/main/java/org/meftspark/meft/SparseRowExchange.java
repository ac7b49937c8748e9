package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.meftspark.distributed.DataParallel;

/**
 * MEFT's gradient sum over ranks (issue 17 item 4; meft-method.md sections 3 and 4 on each rank's
 * full replica of the host store). Per layer: every rank's touched rows are gathered, their union U
 * (ascending row order, the same on every rank) becomes the step's touched set everywhere, and the
 * gradient rows of U, keys' and values' side by side, are summed; a rank that did not touch a row
 * sends the zeros its buffer holds there. Every rank then runs the same host AdamW on the same rows
 * with the same sums, so the replicas stay bit-identical. Bytes per layer: |U| x d x 2 x 4 (fp32,
 * keys trained) plus the row ids, against N x d x 2 x 4 for a dense exchange.
 */
public final class SparseRowExchange {
    private SparseRowExchange() {
    }

    /**
     * Sums one step's accumulated gradients of every layer over ranks.
     *
     * @return bytes this rank contributed (ids and rows)
     */
    @SuppressWarnings("try")
    public static long allReduce(DataParallel dp, HostNeuronStore store) {
        long bytes = 0;
        for (int layer = 0; layer < store.layers(); layer++) {
            HostNeuronStore.Layer l = store.layer(layer);
            try (PointerScope scope = new PointerScope()) {
                Tensor mine = l.touched.nonzero().reshape(-1); // [R] int64, ascending
                long[] counts = dp.allGather(mine.size(0), "MEFT touched-row counts of layer " + layer);
                long widest = 0;
                for (long c : counts) {
                    widest = Math.max(widest, c);
                }
                if (widest == 0) {
                    continue; // no rank touched this layer: nothing to sum (every rank knows it from the counts)
                }
                // An all-gather through a sum: row r of ids holds rank r's rows + 1, zeros pad the rest.
                Tensor ids = zeros(new long[] {dp.worldSize(), widest}, new TensorOptions(ScalarType.Long)); // [W, max R]
                ids.select(0, dp.rank()).narrow(0, 0, mine.size(0)).copy_(mine.add(new Scalar(1)));
                dp.allReduceSum(ids, "MEFT touched-row ids of layer " + layer);
                bytes += ids.nbytes();
                Tensor all = ids.reshape(-1);
                Tensor valid = all.masked_select(all.gt(new Scalar(0))).sub(new Scalar(1)); // [sum R] with repeats
                l.touched.index_fill_(0, valid, new Scalar(1));
                l.everTouched.index_fill_(0, valid, new Scalar(1));
                Tensor union = l.touched.nonzero().reshape(-1); // U [u], ascending
                long d = l.valueGrad.size(1);
                Tensor rows = l.keyGrad == null ? l.valueGrad.index_select(0, union) // [u, d]
                        : cat(new TensorVector(l.keyGrad.index_select(0, union), l.valueGrad.index_select(0, union)), 1);
                dp.allReduceSum(rows, "MEFT gradient rows of layer " + layer); // [u, d] or [u, 2d]
                bytes += rows.nbytes();
                if (l.keyGrad != null) {
                    l.keyGrad.index_copy_(0, union, rows.narrow(1, 0, d));
                    l.valueGrad.index_copy_(0, union, rows.narrow(1, d, d));
                } else {
                    l.valueGrad.index_copy_(0, union, rows);
                }
            }
        }
        return bytes;
    }

    /** Bytes a dense exchange of the whole store's gradients would move: N x d x 4 per trained matrix and layer. */
    public static long denseBytes(HostNeuronStore store) {
        long perMatrix = store.neurons() * store.dim() * store.layer(0).valueGrad.element_size();
        return store.layers() * perMatrix * (store.freezeKeys() ? 1 : 2);
    }
}
