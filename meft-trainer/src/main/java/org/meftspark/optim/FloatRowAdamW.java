package org.meftspark.optim;

/**
 * The arithmetic of {@link AdamWMath#rowStep} for one fp32 row held in Java arrays, operation by
 * operation in the same order and with the same roundings, so the fused host update
 * (meft-method.md section 4, lazy mode) agrees with the libtorch-tensor form to fp32 rounding
 * (bit for bit where libtorch runs its FMA vector kernels).
 * The loops are plain array loops so C2 vectorises them; no allocation.
 */
public final class FloatRowAdamW {
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
     * One AdamW step of one row in place: p, m and v are updated, g is scaled in place when
     * {@code c.scaleGrad()} (the caller zeroes the gradient row afterwards anyway).
     *
     * @param p    parameter row [d]
     * @param g    gradient row [d]
     * @param m    first-moment row [d]
     * @param v    second-moment row [d]
     * @param d    row length (the arrays may be longer)
     * @param step the row's step number after this update (1 on its first update)
     */
    public static void update(float[] p, float[] g, float[] m, float[] v, int d, Constants c, long step) {
        update(p, g, m, v, d, c, c.sqrtBias2(step), c.stepSize(step));
    }

    /**
     * The same step over {@code n} values with the row's bias terms already computed, for an update
     * that walks a row in tiles ({@code sqrtBc2 = c.sqrtBias2(step)}, {@code stepSize = c.stepSize(step)}).
     */
    public static void update(float[] p, float[] g, float[] m, float[] v, int d, Constants c, float sqrtBc2,
                              float stepSize) {
        if (c.scaleGrad()) {
            float s = c.gradScale();
            for (int i = 0; i < d; i++) {
                g[i] *= s;
            }
        }
        float decay = c.decay(), b1 = c.beta1(), a1 = c.oneMinusBeta1(), b2 = c.beta2(), a2 = c.oneMinusBeta2(), eps = c.eps();
        for (int i = 0; i < d; i++) {
            float gi = g[i];
            // p.mul_(1 - lr wd); m.mul_(b1).add_(g, 1 - b1); v.mul_(b2).addcmul_(g, g, 1 - b2).
            // libtorch's vector kernels compute add_ with alpha as fma(g, alpha, m) and addcmul as
            // fma(value * g, g, v): the same single roundings here (bit-identical with the AVX-512
            // kernels measured on this machine).
            float pi = p[i] * decay;
            float mi = Math.fma(gi, a1, m[i] * b1);
            float vi = Math.fma(a2 * gi, gi, v[i] * b2);
            // denom = sqrt(v) / sqrt(bc2) + eps; p -= (m / denom) * (lr / bc1)
            float denom = (float) Math.sqrt(vi) / sqrtBc2 + eps;
            p[i] = pi - mi / denom * stepSize;
            m[i] = mi;
            v[i] = vi;
        }
    }
}
