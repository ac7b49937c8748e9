package org.meftspark.meft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.*;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meftspark.device.ComputeDevice;
import org.meftspark.optim.AdamWMath;

/**
 * The fused lazy AdamW path (FusedRowUpdate, FloatRowAdamW, HostRows) against the libtorch-tensor
 * path it replaces on fp32 stores (gather, AdamWMath.rowStep, scatter), meft-method.md section 4.
 */
class FusedRowUpdateTest {
    static final AdamWMath.Hyper H = new AdamWMath.Hyper(0.01, 0.9, 0.99, 1e-8, 0.1);
    /** odd, so the vectorised loops also run their scalar tails */
    static final long N = 300, D = 37;
    /**
     * Allowed max |fused - tensor| after 8 steps, in fp32 ulps of the tensor's largest magnitude.
     * Both paths do the same IEEE operations in the same order; on this machine they agree bit for
     * bit (0 ulps), because FloatRowAdamW uses Math.fma exactly where libtorch's AVX-512
     * kernels fuse (add_ with alpha, addcmul_). A libtorch kernel without FMA rounds the two moment
     * updates once more; measured with such a kernel emulated in Java that moved results by at most
     * 1 ulp over these 8 steps, so 4 leaves room, while a wrong formula (weight decay, a bias
     * correction, a step count off by one) moves p by about lr * |update|, thousands of ulps here.
     */
    static final double MAX_ULPS = 4;

    static Tensor randn32(long seed, long... shape) {
        Generator g = make_generator_cpu(seed);
        return randn(shape, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
    }

    static HostNeuronStore store(boolean freezeKeys) {
        HostNeuronStore s = HostNeuronStore.allocate(1, N, D, freezeKeys, 0.5, 3, ScalarType.Float, ComputeDevice.cpu(), Long.MAX_VALUE);
        s.layer(0).values.copy_(randn32(4, N, D)); // values start at zero; random so weight decay acts on them
        return s;
    }

    static Tensor rows(long... r) {
        return from_blob(new LongPointer(r), new long[] {r.length}, new TensorOptions(ScalarType.Long)).clone();
    }

    /**
     * Accumulates a step's gradient as several micro-batches would: random rows drawn with
     * replacement (repeated rows sum their gradients), plus rows 0 to 9 every step, so rows reach
     * different step counts.
     */
    static void accumulate(HostNeuronStore s, Random rnd, long seed) {
        long[] r = new long[90];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < 10 ? i : rnd.nextInt((int) N);
        }
        Tensor idx = rows(r);
        HostNeuronStore.Layer l = s.layer(0);
        Tensor g = randn32(seed, r.length, D).mul_(new Scalar(0.1 + (seed % 3))); // [90, D], a few magnitudes
        l.valueGrad.index_add_(0, idx, g);
        if (l.keyGrad != null) {
            l.keyGrad.index_add_(0, idx, g.mul(new Scalar(-0.5)));
        }
        l.touched.index_fill_(0, idx, new Scalar(1));
    }

    static float[] floats(Tensor t) {
        float[] a = new float[(int) t.numel()];
        new FloatPointer(t.contiguous().data_ptr()).capacity(a.length).get(a);
        return a;
    }

    /** Largest elementwise |a - b|, in fp32 ulps of the largest magnitude in b (0 where bit-identical). */
    static double maxUlps(Tensor a, Tensor b) {
        float[] x = floats(a), y = floats(b);
        float scale = 0;
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            scale = Math.max(scale, Math.abs(y[i]));
            worst = Math.max(worst, Math.abs((double) x[i] - y[i]));
        }
        return worst == 0 ? 0 : worst / Math.ulp(scale);
    }

    @ParameterizedTest(name = "frozen keys {0}")
    @ValueSource(booleans = {false, true})
    void fusedPathMatchesTheTensorPathOnRandomRepeatedRowsWithDifferentStepCounts(boolean freezeKeys) {
        HostNeuronStore fusedStore = store(freezeKeys), tensorStore = store(freezeKeys);
        // rows of 37 values: whole vectors and a tail shorter than one, whatever the vector width
        HostAdamW fused = new HostAdamW(fusedStore, HostAdamW.Mode.LAZY, 3, true);
        HostAdamW tensor = new HostAdamW(tensorStore, HostAdamW.Mode.LAZY, 1, false);
        assertThat(fused.rowPath(0)).isEqualTo(HostAdamW.RowPath.FUSED);
        assertThat(tensor.rowPath(0)).isEqualTo(HostAdamW.RowPath.TENSOR_OPS);
        Random a = new Random(7), b = new Random(7);
        for (int step = 0; step < 8; step++) {
            accumulate(fusedStore, a, 100 + step);
            accumulate(tensorStore, b, 100 + step);
            double clip = step % 2 == 0 ? 1.0 : 0.37; // the clipped-gradient branch too
            assertThat(fused.step(0, H, clip)).isEqualTo(tensor.step(0, H, clip));
        }
        HostNeuronStore.Layer f = fusedStore.layer(0), t = tensorStore.layer(0);
        assertThat(f.steps.equal(t.steps)).as("per-row step counts").isTrue();
        Set<Long> counts = new HashSet<>();
        for (long c : longs(f.steps)) {
            counts.add(c);
        }
        assertThat(counts).as("rows at different step counts, some untouched").contains(0L, 8L).hasSizeGreaterThan(4);
        Tensor[][] pairs = freezeKeys
                ? new Tensor[][] {{f.values, t.values}, {f.valueM, t.valueM}, {f.valueV, t.valueV}, {f.keys, t.keys}}
                : new Tensor[][] {{f.values, t.values}, {f.valueM, t.valueM}, {f.valueV, t.valueV},
                        {f.keys, t.keys}, {f.keyM, t.keyM}, {f.keyV, t.keyV}};
        for (Tensor[] p : pairs) {
            assertThat(maxUlps(p[0], p[1])).isLessThanOrEqualTo(MAX_ULPS);
        }
        // and the update did move things: the comparison is not between two untouched stores
        assertThat(f.values.sub(store(freezeKeys).layer(0).values).abs().max().item_double()).isGreaterThan(1e-3);
        assertThat(f.valueGrad.abs().sum().item_double()).isZero();
        assertThat(f.touched.any().item_bool()).isFalse();
        if (f.keyGrad != null) {
            assertThat(f.keyGrad.abs().sum().item_double()).isZero();
        }
    }

    static long[] longs(Tensor t) {
        long[] a = new long[(int) t.numel()];
        new LongPointer(t.contiguous().data_ptr()).capacity(a.length).get(a);
        return a;
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        HostNeuronStore one = store(false), four = store(false);
        HostAdamW a = new HostAdamW(one, HostAdamW.Mode.LAZY, 1), b = new HostAdamW(four, HostAdamW.Mode.LAZY, 4);
        Random ra = new Random(9), rb = new Random(9);
        for (int step = 0; step < 4; step++) {
            accumulate(one, ra, 300 + step);
            accumulate(four, rb, 300 + step);
            a.step(0, H, 1.0);
            b.step(0, H, 1.0);
        }
        for (Tensor[] p : new Tensor[][] {{one.layer(0).keys, four.layer(0).keys}, {one.layer(0).values, four.layer(0).values},
                {one.layer(0).keyV, four.layer(0).keyV}, {one.layer(0).valueM, four.layer(0).valueM}}) {
            assertThat(p[0].equal(p[1])).as("bit-identical").isTrue();
        }
    }

    @Test
    void aNanGradientStaysInItsRowOnBothPaths() {
        HostNeuronStore fusedStore = store(false), tensorStore = store(false);
        for (HostNeuronStore s : new HostNeuronStore[] {fusedStore, tensorStore}) {
            accumulate(s, new Random(1), 5);
            s.layer(0).valueGrad.select(0, 3).select(0, 2).fill_(new Scalar(Double.NaN));
        }
        new HostAdamW(fusedStore, HostAdamW.Mode.LAZY, 2, true).step(0, H, 1.0);
        new HostAdamW(tensorStore, HostAdamW.Mode.LAZY, 1, false).step(0, H, 1.0);
        Tensor nanRows = isnan(fusedStore.layer(0).values).any(1); // [N]
        assertThat(nanRows.sum().item_long()).isEqualTo(1);
        assertThat(nanRows.select(0, 3).item_bool()).isTrue();
        assertThat(isnan(fusedStore.layer(0).valueV).equal(isnan(tensorStore.layer(0).valueV))).isTrue();
        assertThat(isnan(fusedStore.layer(0).keys).any().item_bool()).as("keys have their own gradient").isFalse();
    }

    @Test
    void fusedPathOnlyForContiguousHostFp32() {
        assertThat(FusedRowUpdate.supports(true, ScalarType.Float, true)).isTrue();
        assertThat(FusedRowUpdate.supports(false, ScalarType.Float, true)).as("not in host memory").isFalse();
        assertThat(FusedRowUpdate.supports(true, ScalarType.Double, true)).isFalse();
        assertThat(FusedRowUpdate.supports(true, ScalarType.Half, true)).isFalse();
        assertThat(FusedRowUpdate.supports(true, ScalarType.Float, false)).isFalse();

        HostNeuronStore f64 = HostNeuronStore.allocate(1, N, D, false, 0.5, 3, ScalarType.Double, ComputeDevice.cpu(), Long.MAX_VALUE);
        assertThat(new HostAdamW(f64, HostAdamW.Mode.LAZY, 2).rowPath(0)).isEqualTo(HostAdamW.RowPath.TENSOR_OPS);
        assertThat(new HostAdamW(store(false), HostAdamW.Mode.LAZY, 2).rowPath(0)).isEqualTo(HostAdamW.RowPath.FUSED);
        // a layer whose tensors are transposed views: fp32 on the host, but not row-major
        HostNeuronStore.Layer transposed = new HostNeuronStore.Layer(randn32(1, D, N).t(), randn32(2, D, N).t(), false, ComputeDevice.cpu());
        assertThat(transposed.valueM.is_contiguous()).isFalse();
        assertThat(FusedRowUpdate.supports(transposed)).isFalse();
        assertThat(FusedRowUpdate.supports(store(true).layer(0))).as("frozen keys: no key tensors to check").isTrue();
    }

    @Test
    void rowViewsReadAndWriteTheTensorAcrossSegments() {
        Tensor m = randn32(5, 7, 3); // [7, 3]
        HostRows rows = new HostRows(m, 2 * 3 * 4); // two rows a segment: four segments, the last one short
        float[] all = floats(m);
        for (int i = 0; i < 7; i++) {
            ByteBuffer b = rows.segment(i);
            int at = rows.offset(i);
            assertThat(new float[] {b.getFloat(at), b.getFloat(at + 4), b.getFloat(at + 8)})
                    .containsExactly(all[3 * i], all[3 * i + 1], all[3 * i + 2]);
            assertThat(rows.first(i)).isEqualTo(all[3 * i]);
        }
        assertThat(rows.offset(5)).as("row 5 is the second of segment 2").isEqualTo(3 * 4);
        rows.segment(5).putFloat(rows.offset(5) + 4, 42f);
        float[] after = floats(m);
        assertThat(after[16]).isEqualTo(42f);
        after[16] = all[16];
        assertThat(after).as("no other value changed").containsExactly(all);
        assertThatThrownBy(() -> new HostRows(randn32(5, 7, 3).to(ScalarType.Double))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rowViewsOfAMatrixLargerThanTwoGibibytesReachItsLastRows() {
        // [1M, 1024] fp32: 4 GiB of address space, three segments; only the pages touched here are ever committed.
        Tensor m = empty(1L << 20, 1024); // [N, d]
        HostRows rows = new HostRows(m);
        for (long row : new long[] {524_287L, 700_000L, (1L << 20) - 1}) {
            m.select(0, row).fill_(new Scalar((double) row));
            assertThat(rows.first(row)).as("row %d", row).isEqualTo((float) row);
            rows.segment(row).putFloat(rows.offset(row) + 1023 * 4, -1f);
            assertThat(m.select(0, row).get(1023).item_float()).isEqualTo(-1f);
        }
    }
}
