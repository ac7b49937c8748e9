package org.meftspark.evaluation;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.model.DecoderHooks;

/**
 * A stand-in adapter for tests: adds {@code factor * x} to every FFN output, the parallel-to-FFN
 * place where MEFT and the Parallel Adapter act (meft-method.md section 1). Counts its calls.
 */
final class ScalingFfnHooks implements DecoderHooks {
    private final double factor;
    int calls;

    ScalingFfnHooks(double factor) {
        this.factor = factor;
    }

    @Override
    public Tensor ffnOutput(int layer, Tensor ffnInput, Tensor ffnOutput) {
        calls++;
        return ffnOutput.add(ffnInput.mul(new Scalar(factor)));
    }
}
