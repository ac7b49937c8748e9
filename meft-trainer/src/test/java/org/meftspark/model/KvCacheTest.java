package org.meftspark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;

class KvCacheTest {
    private static Tensor slots(long b, long t, long seed) {
        manual_seed(seed);
        return randn(new long[] {b, 2, t, 4}, new TensorOptions(ScalarType.Double));
    }

    /** Appends of 3, 1, 1, ... slots, from no spare room and from some: the views equal plain concatenation throughout. */
    @Test
    void appendsEqualConcatenationWhetherTheBufferGrowsOrNot() {
        for (long reserve : new long[] {0, 2, 50}) {
            KvCache cache = new KvCache(1, reserve);
            Tensor k = null;
            Tensor v = null;
            for (int step = 0; step < 9; step++) {
                long t = step == 0 ? 3 : 1;
                Tensor nk = slots(2, t, step), nv = slots(2, t, 100 + step);
                k = k == null ? nk : cat(new TensorVector(k, nk), 2);
                v = v == null ? nv : cat(new TensorVector(v, nv), 2);
                Tensor[] got = cache.append(0, nk, nv);
                assertThat(equal(got[0], k)).as("reserve %d step %d keys", reserve, step).isTrue();
                assertThat(equal(got[1], v)).isTrue();
                cache.commit(ones(new long[] {2, k.size(2)}, new TensorOptions(ScalarType.Bool)), zeros(new long[] {2},
                        new TensorOptions(ScalarType.Long)));
            }
            assertThat(cache.length()).isEqualTo(11);
            assertThat(cache.bytes()).as("spare room counts").isGreaterThanOrEqualTo(2L * 2 * 2 * 11 * 4 * 8);
        }
    }

    @Test
    void copyRowsCopiesKeysValuesValidityAndPositions() {
        KvCache cache = new KvCache(2, 4);
        Tensor k = slots(3, 2, 1), v = slots(3, 2, 2);
        cache.append(0, k, v);
        cache.append(1, k.mul(new org.bytedeco.pytorch.Scalar(2.0)), v);
        Tensor valid = ones(new long[] {3, 2}, new TensorOptions(ScalarType.Bool));
        valid.get(2).get(0).fill_(new org.bytedeco.pytorch.Scalar(0));
        cache.commit(valid, arange(new org.bytedeco.pytorch.Scalar(3)));
        cache.copyRows(new long[] {2}, new long[] {0});
        Tensor[] l0 = cache.append(0, slots(3, 1, 5), slots(3, 1, 6));
        assertThat(equal(l0[0].narrow(2, 0, 2).select(0, 0), k.select(0, 2))).isTrue();
        assertThat(equal(l0[0].narrow(2, 0, 2).select(0, 1), k.select(0, 1))).as("other rows untouched").isTrue();
        assertThat(cache.keyValid().get(0).get(0).item_bool()).isFalse();
        assertThat(cache.nextPosition().get(0).item_long()).isEqualTo(2);
    }

    /** Each row becomes `times` rows side by side; spare room stays, so the next append writes in place after them. */
    @Test
    void repeatRowsRepeatsEveryRowInPlaceOfItKeepingSpareRoom() {
        KvCache cache = new KvCache(1, 4);
        Tensor k = slots(2, 3, 1), v = slots(2, 3, 2);
        cache.append(0, k, v);
        Tensor valid = ones(new long[] {2, 3}, new TensorOptions(ScalarType.Bool));
        valid.get(1).get(0).fill_(new org.bytedeco.pytorch.Scalar(0));
        cache.commit(valid, arange(new org.bytedeco.pytorch.Scalar(2)));
        long before = cache.bytes();
        cache.repeatRows(3);
        assertThat(cache.bytes()).as("capacity kept").isEqualTo(3 * before);
        Tensor nk = slots(6, 1, 3), nv = slots(6, 1, 4);
        Tensor[] got = cache.append(0, nk, nv);
        for (int r = 0; r < 6; r++) {
            assertThat(equal(got[0].select(0, r).narrow(1, 0, 3), k.select(0, r / 3))).as("row %d keys", r).isTrue();
            assertThat(equal(got[1].select(0, r).narrow(1, 0, 3), v.select(0, r / 3))).as("row %d values", r).isTrue();
            assertThat(cache.keyValid().get(r).get(0).item_bool()).isEqualTo(r / 3 == 0);
            assertThat(cache.nextPosition().get(r).item_long()).isEqualTo(r / 3);
        }
        assertThat(equal(got[0].narrow(2, 3, 1), nk)).as("the new slot, after the repeated ones").isTrue();
    }
}
