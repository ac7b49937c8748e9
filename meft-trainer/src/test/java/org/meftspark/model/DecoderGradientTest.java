package org.meftspark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;

/**
 * Gradients through the frozen decoder into an adapter, in float64: autograd against central
 * finite differences, and activation recomputation against ordinary backward.
 */
class DecoderGradientTest {
    private static final long[][] TOKENS = {{3, 17, 5, 9, 33, 1}, {4, 4, 20, 11, 2, 30}};

    /** A parallel adapter y = FFN(x) + x A on every layer, A trainable [d, d]. */
    private static final class LinearFfnAdapter implements DecoderHooks {
        final Tensor a; // [d, d]

        LinearFfnAdapter(int d) {
            manual_seed(3);
            a = randn(new long[] {d, d}, new TensorOptions(ScalarType.Double)).mul(new org.bytedeco.pytorch.Scalar(0.1));
            a.set_requires_grad(true);
        }

        @Override
        public Tensor ffnOutput(int layer, Tensor ffnInput, Tensor ffnOutput) {
            return ffnOutput.add(ffnInput.matmul(a));
        }
    }

    private static Tensor loss(Decoder dec, Tensor probe) {
        return dec.forward(TinyModels.tokens(TOKENS)).mul(probe).sum();
    }

    private static Tensor grad(Decoder dec, LinearFfnAdapter ad, Tensor probe) {
        if (ad.a.grad().defined()) {
            ad.a.grad().zero_();
        }
        loss(dec, probe).backward();
        return ad.a.grad().clone();
    }

    @Test
    void adapterGradientMatchesFiniteDifferencesWithAndWithoutRecomputation() {
        ModelConfig c = TinyModels.mistral();
        Decoder dec = TinyModels.decoder(c, 9, ScalarType.Double);
        LinearFfnAdapter ad = new LinearFfnAdapter(c.hiddenSize());
        dec.setHooks(ad);
        manual_seed(4);
        Tensor probe = randn(new long[] {TOKENS.length, TOKENS[0].length, c.vocabSize()}, new TensorOptions(ScalarType.Double));

        Tensor plain = grad(dec, ad, probe);
        dec.setRecomputeAll(true);
        Tensor recomputed = grad(dec, ad, probe);
        assertThat(dec.pendingRecomputations()).isZero();
        assertThat(plain.abs().max().item_double()).isGreaterThan(1e-3);
        assertThat(recomputed.sub(plain).abs().max().item_double()).isLessThan(1e-12);

        double eps = 1e-6;
        int[][] entries = {{0, 0}, {3, 7}, {15, 2}, {8, 8}, {1, 14}};
        for (int[] e : entries) {
            double analytic = plain.get(e[0]).get(e[1]).item_double();
            double numeric;
            try (NoGradGuard g = new NoGradGuard()) {
                Tensor cell = ad.a.get(e[0]).get(e[1]);
                double orig = cell.item_double();
                cell.fill_(new org.bytedeco.pytorch.Scalar(orig + eps));
                double up = loss(dec, probe).item_double();
                cell.fill_(new org.bytedeco.pytorch.Scalar(orig - eps));
                double down = loss(dec, probe).item_double();
                cell.fill_(new org.bytedeco.pytorch.Scalar(orig));
                numeric = (up - down) / (2 * eps);
            }
            assertThat(analytic).as("dL/dA%s", java.util.Arrays.toString(e)).isCloseTo(numeric, within(1e-6 * Math.max(1, Math.abs(numeric))));
        }
    }

    @Test
    void recomputationWorksWhenOnlySomeLayersRecompute() {
        ModelConfig c = TinyModels.llama();
        Decoder dec = TinyModels.decoder(c, 9, ScalarType.Double);
        LinearFfnAdapter ad = new LinearFfnAdapter(c.hiddenSize());
        dec.setHooks(ad);
        Tensor probe = ones(new long[] {TOKENS.length, TOKENS[0].length, c.vocabSize()}, new TensorOptions(ScalarType.Double));
        Tensor plain = grad(dec, ad, probe);
        dec.setRecompute(1, true);
        Tensor partial = grad(dec, ad, probe);
        assertThat(partial.sub(plain).abs().max().item_double()).isLessThan(1e-12);
    }
}
