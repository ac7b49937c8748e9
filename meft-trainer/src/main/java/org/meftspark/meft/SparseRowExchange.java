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
 *
 * <p>Three collectives per step whatever the layer count (each costs a round trip, which dominated the
 * exchange's time when it was three per layer): every layer's touched-row counts, every layer's row ids
 * side by side, and every layer's gradient rows one after the other.
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
        int layers = store.layers();
        try (PointerScope scope = new PointerScope()) {
            Tensor[] mine = new Tensor[layers]; // [R_l] int64, ascending
            long[] count = new long[layers];
            for (int l = 0; l < layers; l++) {
                mine[l] = store.layer(l).touched.nonzero().reshape(-1);
                count[l] = mine[l].size(0);
            }
            long[][] counts = dp.allGather(count, "MEFT touched-row counts");
            long[] widest = new long[layers]; // per layer, the most rows any rank touched
            long width = 0;
            for (int l = 0; l < layers; l++) {
                for (long[] c : counts) {
                    widest[l] = Math.max(widest[l], c[l]);
                }
                width += widest[l];
            }
            if (width == 0) {
                return 0; // no rank touched anything (every rank knows it from the counts)
            }
            // An all-gather through a sum: rank r's row holds its rows + 1 of every layer, each layer in a segment
            // of that layer's widest count; zeros pad the rest.
            Tensor ids = zeros(new long[] {dp.worldSize(), width}, new TensorOptions(ScalarType.Long)); // [W, sum]
            long at = 0;
            for (int l = 0; l < layers; l++) {
                ids.select(0, dp.rank()).narrow(0, at, count[l]).copy_(mine[l].add(new Scalar(1)));
                at += widest[l];
            }
            dp.allReduceSum(ids, "MEFT touched-row ids");
            long bytes = ids.nbytes();
            Tensor[] union = new Tensor[layers];
            TensorVector rowsOfLayers = new TensorVector();
            at = 0;
            for (int l = 0; l < layers; l++) {
                HostNeuronStore.Layer layer = store.layer(l);
                Tensor seg = ids.narrow(1, at, widest[l]).reshape(-1);
                at += widest[l];
                Tensor valid = seg.masked_select(seg.gt(new Scalar(0))).sub(new Scalar(1)); // with repeats
                layer.touched.index_fill_(0, valid, new Scalar(1));
                layer.everTouched.index_fill_(0, valid, new Scalar(1));
                union[l] = layer.touched.nonzero().reshape(-1); // U [u], ascending
                rowsOfLayers.push_back(layer.keyGrad == null ? layer.valueGrad.index_select(0, union[l]) // [u, d]
                        : cat(new TensorVector(layer.keyGrad.index_select(0, union[l]),
                                layer.valueGrad.index_select(0, union[l])), 1)); // [u, 2d]
            }
            Tensor rows = cat(rowsOfLayers, 0); // [sum u, d or 2d]
            dp.allReduceSum(rows, "MEFT gradient rows");
            bytes += rows.nbytes();
            long first = 0;
            for (int l = 0; l < layers; l++) {
                HostNeuronStore.Layer layer = store.layer(l);
                long u = union[l].size(0);
                Tensor mineRows = rows.narrow(0, first, u);
                first += u;
                long d = layer.valueGrad.size(1);
                if (layer.keyGrad != null) {
                    layer.keyGrad.index_copy_(0, union[l], mineRows.narrow(1, 0, d));
                    layer.valueGrad.index_copy_(0, union[l], mineRows.narrow(1, d, d));
                } else {
                    layer.valueGrad.index_copy_(0, union[l], mineRows);
                }
            }
            return bytes;
        }
    }

    /** Bytes a dense exchange of the whole store's gradients would move: N x d x 4 per trained matrix and layer. */
    public static long denseBytes(HostNeuronStore store) {
        long perMatrix = store.neurons() * store.dim() * store.layer(0).valueGrad.element_size();
        return store.layers() * perMatrix * (store.freezeKeys() ? 1 : 2);
    }
}
