package org.meftspark.meft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;
import org.meftspark.device.ComputeDevice;
import org.meftspark.optim.AdamWMath;

/** Host AdamW (meft-method.md section 4) against dense AdamW, float64. */
class HostAdamWTest {
    static final AdamWMath.Hyper H = new AdamWMath.Hyper(0.01, 0.9, 0.99, 1e-8, 0.1);
    static final long N = 7, D = 4;

    static HostNeuronStore store() {
        return HostNeuronStore.allocate(1, N, D, false, 0.5, 3, ScalarType.Double, ComputeDevice.cpu(), Long.MAX_VALUE);
    }

    static Tensor rows(long... r) {
        return from_blob(new LongPointer(r), new long[] {r.length}, new TensorOptions(ScalarType.Long)).clone();
    }

    /** Adds a gradient to some rows as the adapter's backward does. */
    static void accumulate(HostNeuronStore s, Tensor rows, long seed) {
        HostNeuronStore.Layer l = s.layer(0);
        Tensor g = MeftAdapterTest.randn64(seed, rows.size(0), D);
        l.valueGrad.index_add_(0, rows, g);
        l.keyGrad.index_add_(0, rows, g.mul(new Scalar(-0.5)));
        l.touched.index_fill_(0, rows, new Scalar(1));
    }

    @Test
    void lazyEqualsDenseOnRowsTouchedEveryStepAndLeavesOtherRowsAlone() {
        HostNeuronStore lazy = store(), dense = store();
        lazy.layer(0).values.copy_(MeftAdapterTest.randn64(5, N, D));
        dense.layer(0).values.copy_(lazy.layer(0).values);
        Tensor always = rows(0, 2, 5);
        Tensor untouchedBefore = lazy.layer(0).keys.index_select(0, rows(1, 3, 4, 6)).clone();
        HostAdamW a = new HostAdamW(lazy, HostAdamW.Mode.LAZY), b = new HostAdamW(dense, HostAdamW.Mode.DENSE);
        for (int step = 0; step < 6; step++) {
            accumulate(lazy, always, 100 + step);
            accumulate(dense, always, 100 + step);
            assertThat(a.step(0, H, 0.5)).isEqualTo(3);
            assertThat(b.step(0, H, 0.5)).isEqualTo(N);
        }
        for (Tensor[] pair : new Tensor[][] {{lazy.layer(0).keys, dense.layer(0).keys}, {lazy.layer(0).values, dense.layer(0).values},
                {lazy.layer(0).keyM, dense.layer(0).keyM}, {lazy.layer(0).valueV, dense.layer(0).valueV}}) {
            assertThat(pair[0].index_select(0, always).equal(pair[1].index_select(0, always))).as("touched rows bit-identical").isTrue();
        }
        assertThat(lazy.layer(0).keys.index_select(0, rows(1, 3, 4, 6)).equal(untouchedBefore)).isTrue();
        assertThat(lazy.layer(0).steps.index_select(0, rows(1, 3)).sum().item_long()).isZero();
        assertThat(lazy.layer(0).steps.index_select(0, always).sum().item_long()).isEqualTo(18);
        // dense mode decayed the untouched rows (weight decay) where lazy did not
        assertThat(dense.layer(0).keys.index_select(0, rows(1, 3, 4, 6)).equal(untouchedBefore)).isFalse();
        assertThat(lazy.layer(0).valueGrad.abs().sum().item_double()).isZero();
    }

    @Test
    void denseModeEqualsLibtorchAdamWOverTheWholeStore() {
        HostNeuronStore s = store();
        Tensor k = s.layer(0).keys.clone().set_requires_grad(true);
        Tensor v = s.layer(0).values.clone().set_requires_grad(true);
        AdamWOptions o = new AdamWOptions(H.lr());
        // std::tuple<double, double> is laid out last element first by libstdc++ (the defaults read back as 0.999, 0.9)
        o.betas().put(0, H.beta2()).put(1, H.beta1());
        o.eps().put(H.eps());
        o.weight_decay().put(H.weightDecay());
        AdamW ref = new AdamW(new TensorVector(k, v), o);
        HostAdamW ours = new HostAdamW(s, HostAdamW.Mode.DENSE);
        for (int step = 0; step < 5; step++) {
            Tensor touched = step % 2 == 0 ? rows(0, 1, 6) : rows(3);
            accumulate(s, touched, 200 + step);
            k.mutable_grad().put(s.layer(0).keyGrad.clone());
            v.mutable_grad().put(s.layer(0).valueGrad.clone());
            ref.step();
            ours.step(0, H, 1.0);
        }
        assertThat(s.layer(0).keys.sub(k.detach()).abs().max().item_double()).isLessThan(1e-14);
        assertThat(s.layer(0).values.sub(v.detach()).abs().max().item_double()).isLessThan(1e-14);
        assertThat(s.layer(0).values.abs().max().item_double()).isGreaterThan(1e-3);
    }
}
