package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;

/**
 * The union U of the neurons a micro-batch selected in one layer, capped at L rows (meft-method.md
 * section 3): the rows gathered to the device. Beyond the cap a random subset of L rows is kept,
 * drawn from a generator seeded by the caller, so the subset is a pure function of the seed.
 * n = tokens, k = top_k, M = |U| <= L.
 *
 * @param rows      U [M] int64, ascending row ids
 * @param local     [n, k] int64, each selection's position in U (0 where the neuron was dropped)
 * @param keep      [n, k] bool, false where the cap dropped the neuron
 * @param uncapped  |union| before the cap (a cap hit when larger than M)
 */
public record NeuronUnion(Tensor rows, Tensor local, Tensor keep, long uncapped) {

    public long size() {
        return rows.size(0);
    }

    public boolean capHit() {
        return uncapped > size();
    }

    /**
     * @param neurons [n, k] int64 selections
     * @param cap     L
     * @param seed    seed of the subset draw; the trainer derives it from (run seed, step, micro-batch, layer)
     */
    public static NeuronUnion of(Tensor neurons, long cap, long seed) {
        Tensor flat = neurons.reshape(-1); // [n*k]
        T_TensorTensor_T s = sort(flat, new org.bytedeco.pytorch.BoolOptional(false), 0, false);
        Tensor sorted = new Tensor(s.get0()); // [n*k]
        // unique of a sorted vector: keep the first element of every run (torch.unique is not mapped).
        long len = sorted.size(0);
        Tensor first = ones(new long[] {1}, new TensorOptions(ScalarType.Bool));
        Tensor differs = sorted.narrow(0, 1, len - 1).ne(sorted.narrow(0, 0, len - 1)); // [n*k - 1]
        Tensor union = sorted.masked_select(cat(new TensorVector(first, differs), 0)); // [M0]
        long uncapped = union.size(0);
        if (uncapped > cap) {
            Tensor perm = randperm(uncapped, new GeneratorOptional(make_generator_cpu(seed)),
                    new TensorOptions(ScalarType.Long)); // [M0]
            union = new Tensor(sort(union.index_select(0, perm.narrow(0, 0, cap)),
                    new org.bytedeco.pytorch.BoolOptional(false), 0, false).get0());
        }
        Tensor pos = searchsorted(union, neurons).clamp_max(new Scalar(union.size(0) - 1)); // [n, k]
        Tensor keep = union.index_select(0, pos.reshape(-1)).view_as(neurons).eq(neurons); // [n, k]
        Tensor local = pos.masked_fill(keep.logical_not(), new Scalar(0));
        return new NeuronUnion(union, local, keep, uncapped);
    }
}
