package org.meftspark.meft;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

/**
 * The split of N keys into E contiguous blocks ("experts", meft-method.md section 2). Block e holds
 * keys {@code [floor(e N / E), floor((e+1) N / E))}, so sizes differ by at most one when E does not
 * divide N and every block is non-empty when E <= N.
 *
 * @param neurons N
 * @param experts E
 */
public record ExpertLayout(long neurons, int experts) {

    public ExpertLayout {
        if (experts < 1 || experts > neurons) {
            throw new IllegalArgumentException("experts must be in [1, N=" + neurons + "], got " + experts);
        }
    }

    public long start(int e) {
        return e * neurons / experts;
    }

    public long size(int e) {
        return start(e + 1) - start(e);
    }

    /** The largest block, ceil(N/E). */
    public long maxSize() {
        return (neurons + experts - 1) / experts;
    }

    /** The smallest block, floor(N/E). */
    public long minSize() {
        return neurons / experts;
    }

    /** First key of every expert [E] int64. */
    public Tensor starts() {
        long[] s = new long[experts];
        for (int e = 0; e < experts; e++) {
            s[e] = start(e);
        }
        return from_blob(new LongPointer(s), new long[] {experts}, new TensorOptions(ScalarType.Long)).clone();
    }

    /** Keys in every expert [E] int64. */
    public Tensor sizes() {
        long[] s = new long[experts];
        for (int e = 0; e < experts; e++) {
            s[e] = size(e);
        }
        return from_blob(new LongPointer(s), new long[] {experts}, new TensorOptions(ScalarType.Long)).clone();
    }
}
