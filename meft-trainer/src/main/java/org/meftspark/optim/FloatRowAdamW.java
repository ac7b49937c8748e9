package org.meftspark.optim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The arithmetic of {@link AdamWMath#rowStep} for one fp32 row, applied in place to the row's
 * memory (direct buffers over the host store's tensors), operation by operation in the same order
 * and with the same roundings, so the fused host update (meft-method.md section 4, lazy mode)
 * agrees with the libtorch-tensor form to fp32 rounding (bit for bit where libtorch runs its FMA
 * vector kernels).
 *
 * <p>Why the Vector API on the buffers, not loops over Java arrays: the arrays needed a copy of
 * each row into scratch and back (the update's only other memory traffic), and read the four rows
 * one after another; loading the four rows a vector at a time keeps four DRAM streams in flight and
 * moves each value once. Lanewise {@code fma}, {@code sqrt} and {@code div} are IEEE operations
 * with one rounding each, exactly as {@link Math#fma}, {@link Math#sqrt} and {@code /} are, so the
 * results do not change (FusedRowUpdateTest). No allocation once compiled.
 */
public final class FloatRowAdamW {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private FloatRowAdamW() {
    }

    /**
     * The step's constants. libtorch casts a double {@code Scalar} to float for a float tensor's
     * kernel, so each constant is rounded to float once, as there; the bias corrections are per row
     * (per-row step counts) and are computed in float64 like {@link AdamWMath#rowStep}, then cast.
     *
     * @param decay         1 - lr * weightDecay (decoupled weight decay)
     * @param beta1         first-moment decay
     * @param oneMinusBeta1 weight of the new gradient in the first moment
     * @param beta2         second-moment decay
     * @param oneMinusBeta2 weight of the squared gradient in the second moment
     * @param eps           added to the denominator
     * @param gradScale     factor on the gradient (global-norm clipping), applied only when not 1
     * @param scaleGrad     whether to apply it (the tensor form skips the multiply at exactly 1)
     * @param hyper         the double hyperparameters, for the per-row bias corrections
     */
    public record Constants(float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                            float eps, float gradScale, boolean scaleGrad, AdamWMath.Hyper hyper) {

        public static Constants of(AdamWMath.Hyper h, double gradScale) {
            return new Constants((float) (1 - h.lr() * h.weightDecay()), (float) h.beta1(), (float) (1 - h.beta1()),
                    (float) h.beta2(), (float) (1 - h.beta2()), (float) h.eps(), (float) gradScale, gradScale != 1.0, h);
        }

        /** sqrt(1 - beta2^step) in float64, then float (the divisor of sqrt(v)). */
        public float sqrtBias2(long step) {
            return (float) Math.sqrt(1 + -Math.pow(hyper.beta2(), step));
        }

        /** lr / (1 - beta1^step) in float64 as (1 / bc1) * lr, then float. */
        public float stepSize(long step) {
            return (float) (1.0 / (1 + -Math.pow(hyper.beta1(), step)) * hyper.lr());
        }
    }

    /**
     * One AdamW step of one row in place: p, m and v are updated and the gradient row is zeroed.
     * The four buffers are native-order views of [N, d] fp32 matrices; the row starts at the same
     * byte offset in each.
     *
     * @param p       parameter matrix
     * @param g       gradient matrix (zeroed over the row)
     * @param m       first-moment matrix
     * @param v       second-moment matrix
     * @param offset  byte offset of the row's first value
     * @param d       values in the row
     * @param c       the step's constants
     * @param sqrtBc2 {@code c.sqrtBias2(step)} of the row's step after this update
     * @param stepSize {@code c.stepSize(step)} of the same step
     */
    public static void update(ByteBuffer p, ByteBuffer g, ByteBuffer m, ByteBuffer v, int offset, int d, Constants c,
                              float sqrtBc2, float stepSize) {
        float decay = c.decay(), b1 = c.beta1(), a1 = c.oneMinusBeta1(), b2 = c.beta2(), a2 = c.oneMinusBeta2(), eps = c.eps();
        float scale = c.gradScale();
        boolean scaleGrad = c.scaleGrad();
        FloatVector zero = FloatVector.zero(SPECIES);
        int lanes = SPECIES.length();
        int i = 0;
        for (; i <= d - lanes; i += lanes) {
            int at = offset + 4 * i;
            FloatVector gi = FloatVector.fromByteBuffer(SPECIES, g, at, ORDER);
            if (scaleGrad) {
                gi = gi.mul(scale);
            }
            // p.mul_(1 - lr wd); m.mul_(b1).add_(g, 1 - b1); v.mul_(b2).addcmul_(g, g, 1 - b2).
            // libtorch's vector kernels compute add_ with alpha as fma(g, alpha, m) and addcmul as
            // fma(value * g, g, v): the same single roundings here.
            FloatVector pi = FloatVector.fromByteBuffer(SPECIES, p, at, ORDER).mul(decay);
            FloatVector mi = gi.fma(FloatVector.broadcast(SPECIES, a1), FloatVector.fromByteBuffer(SPECIES, m, at, ORDER).mul(b1));
            FloatVector vi = gi.mul(a2).fma(gi, FloatVector.fromByteBuffer(SPECIES, v, at, ORDER).mul(b2));
            // denom = sqrt(v) / sqrt(bc2) + eps; p -= (m / denom) * (lr / bc1)
            FloatVector denom = vi.sqrt().div(sqrtBc2).add(eps);
            pi.sub(mi.div(denom).mul(stepSize)).intoByteBuffer(p, at, ORDER);
            mi.intoByteBuffer(m, at, ORDER);
            vi.intoByteBuffer(v, at, ORDER);
            zero.intoByteBuffer(g, at, ORDER);
        }
        for (; i < d; i++) { // the tail shorter than a vector, the same operations one value at a time
            int at = offset + 4 * i;
            float gi = g.getFloat(at);
            if (scaleGrad) {
                gi *= scale;
            }
            float pi = p.getFloat(at) * decay;
            float mi = Math.fma(gi, a1, m.getFloat(at) * b1);
            float vi = Math.fma(a2 * gi, gi, v.getFloat(at) * b2);
            float denom = (float) Math.sqrt(vi) / sqrtBc2 + eps;
            p.putFloat(at, pi - mi / denom * stepSize);
            m.putFloat(at, mi);
            v.putFloat(at, vi);
            g.putFloat(at, 0f);
        }
    }
}
