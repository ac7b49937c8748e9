package org.meftspark.meft;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Key-Experts candidate scores (meft-method.md section 2, step 3) for the tokens that probed one expert, in Java on
 * the host store's own memory: {@code out[r][j] = gate[r] * (x[token[r]] . keys[start + j])} for each of the run's
 * rows r and each of the expert's keys j.
 *
 * <p>Why not one libtorch product per expert, as before: at N = 1M, d = 1,024 a micro-batch of 2,048 tokens probes
 * 16,384 (token, expert) pairs spread over nearly all 4,096 experts, about 4 tokens an expert. Each product then
 * reads a 1 MiB key block to do 4 dot products per key: the work is reading the 4 GiB of keys, not arithmetic, and
 * five libtorch calls per expert (gather, product, gate, copy) plus OpenBLAS's thread hand-off cost more than the
 * reading (docs/benchmarks.md, issue 20 item 2). Here each key row is loaded once, a vector at a time, and dotted
 * with up to four token rows held in cache; nothing is allocated or copied, and the results land in place.
 *
 * <p>Rounding: the dot products sum in a different order than a BLAS kernel, so scores may differ from libtorch's in
 * the last bits; selections differ only where two candidates' scores are that close (NeuronRetrieverTest bounds it).
 */
final class ExpertScores {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Token rows dotted with each key row per pass: four accumulators, one key load for four products. */
    private static final int TOKENS_PER_PASS = 4;

    private ExpertScores() {
    }

    /**
     * Scores one expert's keys for a run of (token, expert) pairs.
     *
     * @param x      the tokens [n, d] fp32
     * @param keys   the keys [N, d] fp32
     * @param out    the candidate matrix [pairs, smax] fp32; row {@code outRow[r]} receives pair r's scores in its
     *               first {@code size} columns
     * @param tokens the token of each pair, in expert order
     * @param gate   the router score of each pair, in the same order
     * @param outRow the candidate row of each pair, in the same order
     * @param from   the run's first pair in those arrays
     * @param c      the run's pairs
     * @param start  the expert's first key
     * @param size   the expert's keys
     */
    static void score(HostRows x, HostRows keys, HostRows out, long[] tokens, float[] gate, long[] outRow,
                      int from, int c, long start, int size) {
        int d = x.dim();
        int vecEnd = SPECIES.loopBound(d);
        for (int j = 0; j < size; j++) {
            long key = start + j;
            ByteBuffer kb = keys.segment(key);
            int ko = keys.offset(key);
            for (int t0 = from, end = from + c; t0 < end; t0 += TOKENS_PER_PASS) {
                int tc = Math.min(TOKENS_PER_PASS, end - t0);
                // Unused accumulators dot the first token again: the loop stays branch-free, the results are dropped.
                ByteBuffer b0 = x.segment(tokens[t0]), b1 = x.segment(tokens[t0 + Math.min(1, tc - 1)]);
                ByteBuffer b2 = x.segment(tokens[t0 + Math.min(2, tc - 1)]), b3 = x.segment(tokens[t0 + Math.min(3, tc - 1)]);
                int o0 = x.offset(tokens[t0]), o1 = x.offset(tokens[t0 + Math.min(1, tc - 1)]);
                int o2 = x.offset(tokens[t0 + Math.min(2, tc - 1)]), o3 = x.offset(tokens[t0 + Math.min(3, tc - 1)]);
                FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
                int i = 0;
                for (; i < vecEnd; i += SPECIES.length()) {
                    int bytes = i * Float.BYTES;
                    FloatVector k = FloatVector.fromByteBuffer(SPECIES, kb, ko + bytes, ORDER);
                    a0 = k.fma(FloatVector.fromByteBuffer(SPECIES, b0, o0 + bytes, ORDER), a0);
                    a1 = k.fma(FloatVector.fromByteBuffer(SPECIES, b1, o1 + bytes, ORDER), a1);
                    a2 = k.fma(FloatVector.fromByteBuffer(SPECIES, b2, o2 + bytes, ORDER), a2);
                    a3 = k.fma(FloatVector.fromByteBuffer(SPECIES, b3, o3 + bytes, ORDER), a3);
                }
                put(out, outRow[t0], j, (a0.reduceLanes(VectorOperators.ADD) + tail(kb, ko, b0, o0, i, d)) * gate[t0]);
                if (tc > 1) {
                    put(out, outRow[t0 + 1], j, (a1.reduceLanes(VectorOperators.ADD) + tail(kb, ko, b1, o1, i, d)) * gate[t0 + 1]);
                }
                if (tc > 2) {
                    put(out, outRow[t0 + 2], j, (a2.reduceLanes(VectorOperators.ADD) + tail(kb, ko, b2, o2, i, d)) * gate[t0 + 2]);
                }
                if (tc > 3) {
                    put(out, outRow[t0 + 3], j, (a3.reduceLanes(VectorOperators.ADD) + tail(kb, ko, b3, o3, i, d)) * gate[t0 + 3]);
                }
            }
        }
    }

    /** The dot product's terms past the last whole vector (none when d is a multiple of the vector length). */
    private static float tail(ByteBuffer k, int ko, ByteBuffer x, int xo, int from, int d) {
        float sum = 0;
        for (int i = from; i < d; i++) {
            sum += k.getFloat(ko + i * Float.BYTES) * x.getFloat(xo + i * Float.BYTES);
        }
        return sum;
    }

    /** out[row][column] = value; the score times the gate, in the order of libtorch's matmul(...).mul_(gate). */
    private static void put(HostRows out, long row, int column, float value) {
        out.segment(row).putFloat(out.offset(row) + column * Float.BYTES, value);
    }
}
