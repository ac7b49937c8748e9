package org.meftspark.optim;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter), in the operation order of libtorch's
 * {@code torch::optim::AdamW} so results can be compared with it. Two forms:
 * <ul>
 *   <li>{@link #scalarStep}: one step count for the whole tensor (device trainables);</li>
 *   <li>{@link #rowStep}: one step count per row, so bias corrections differ by row
 *       (the host neuron store, meft-method.md section 4); {@link FloatRowAdamW} is the same
 *       arithmetic on one fp32 row in Java arrays.</li>
 * </ul>
 * All updates are in place and must run under a no-grad guard.
 */
public final class AdamWMath {
    private AdamWMath() {
    }

    /**
     * Hyperparameters of one update.
     *
     * @param lr          learning rate of this step (after the schedule)
     * @param beta1       first-moment decay
     * @param beta2       second-moment decay
     * @param eps         added to the denominator
     * @param weightDecay decoupled weight decay (p *= 1 - lr * weightDecay)
     */
    public record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay) {
    }

    private static Scalar s(double v) {
        return new Scalar(v);
    }

    /**
     * One AdamW step on a whole tensor with a shared step count.
     *
     * @param p    parameter, any shape
     * @param g    its gradient (already scaled by clipping), same shape
     * @param m    first moment, same shape
     * @param v    second moment, same shape
     * @param step the step number after this update (1 on the first update)
     */
    public static void scalarStep(Tensor p, Tensor g, Tensor m, Tensor v, long step, Hyper h) {
        p.mul_(s(1 - h.lr * h.weightDecay));
        m.mul_(s(h.beta1)).add_(g, s(1 - h.beta1));
        v.mul_(s(h.beta2)).addcmul_(g, g, s(1 - h.beta2));
        double bc1 = 1 - Math.pow(h.beta1, step);
        double bc2 = 1 - Math.pow(h.beta2, step);
        Tensor denom = v.sqrt().div(s(Math.sqrt(bc2))).add_(s(h.eps));
        p.addcdiv_(m, denom, s(-h.lr / bc1));
    }

    /**
     * One AdamW step on rows with their own step counts (lazy AdamW, section 4).
     *
     * @param p     parameter rows [R, d]
     * @param g     gradient rows [R, d]
     * @param m     first-moment rows [R, d]
     * @param v     second-moment rows [R, d]
     * @param steps each row's step number after this update [R] int64
     */
    public static void rowStep(Tensor p, Tensor g, Tensor m, Tensor v, Tensor steps, Hyper h) {
        p.mul_(s(1 - h.lr * h.weightDecay));
        m.mul_(s(h.beta1)).add_(g, s(1 - h.beta1));
        v.mul_(s(h.beta2)).addcmul_(g, g, s(1 - h.beta2));
        // Bias corrections per row, computed in float64 like the scalar form, then cast.
        Tensor t = steps.to(ScalarType.Double).unsqueeze(1); // [R, 1]
        Tensor bc1 = pow(s(h.beta1), t).neg().add(s(1)); // [R, 1]
        Tensor bc2 = pow(s(h.beta2), t).neg().add(s(1)); // [R, 1]
        ScalarType dt = p.scalar_type().intern();
        Tensor denom = v.sqrt(); // [R, d]
        denom.div_(bc2.sqrt().to(dt)).add_(s(h.eps));
        Tensor stepSize = bc1.reciprocal().mul(s(h.lr)).to(dt); // [R, 1], lr / bc1
        div_out(denom, m, denom).mul_(stepSize); // the update (m / denom) * lr / bc1, in place
        p.sub_(denom);
    }
}
