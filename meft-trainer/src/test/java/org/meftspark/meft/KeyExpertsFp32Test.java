package org.meftspark.meft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Key-Experts retrieval on an fp32 store (the training dtype, whose per-expert products run on OpenBLAS) against the
 * same retrieval in float64 over every probed key (the naive reference): the candidate scores agree to fp32
 * rounding, and each token's top-k set is the reference's except where the reference's own k-th and (k+1)-th scores
 * are closer than that rounding (a tie in fp32).
 */
class KeyExpertsFp32Test {
    private static final TensorOptions F32 = new TensorOptions(ScalarType.Float);

    private static Tensor randn32(long seed, long... shape) {
        Generator g = make_generator_cpu(seed);
        return randn(shape, new GeneratorOptional(g), F32);
    }

    @ParameterizedTest(name = "n={0} d={1} N={2} E={3} P={4} k={5}")
    @CsvSource({
            "64, 64, 1024, 16, 4, 16",    // about 16 tokens an expert: several passes of four
            "37, 40, 900, 30, 3, 8",      // d not a multiple of the vector length; uneven blocks; runs not multiples of 4
            "300, 128, 4096, 256, 8, 32", // about 9 tokens an expert, the benchmark's proportions
            "5, 16, 64, 8, 1, 4"})        // one probe: runs of one or two tokens
    void fp32RetrievalSelectsTheFloat64TopKUpToFp32Ties(long n, long d, long neurons, int experts, int probes, int k) {
        ExpertLayout layout = new ExpertLayout(neurons, experts);
        Tensor keys = randn32(1, neurons, d).mul_(new Scalar(0.1)); // [N, d]
        Tensor x = randn32(2, n, d); // [n, d]
        Tensor router = randn32(3, experts, d).mul_(new Scalar(0.1)); // [E, d]: logits of about unit spread
        T_TensorTensor_T routed = x.matmul(router.t()).softmax(1).topk(probes, 1, true, true);
        Tensor gate = new Tensor(routed.get0()); // [n, P] fp32
        Tensor probed = new Tensor(routed.get1()); // [n, P]
        TokenSelection sel;
        try (NeuronRetriever r = new NeuronRetriever(k, layout, 2)) {
            sel = r.keyExperts(x, keys, probed, gate);
        }

        // Reference in float64: every key scored and scaled by its expert's gate where the token probed that expert,
        // -inf elsewhere.
        TensorOptions f64 = new TensorOptions(ScalarType.Double);
        Tensor expertOfKey = searchsorted(layout.starts(), arange(new Scalar(0), new Scalar(neurons), new TensorOptions(ScalarType.Long)),
                false, true, new org.bytedeco.pytorch.StringViewOptional(), new org.bytedeco.pytorch.TensorOptional()).sub(new Scalar(1));
        Tensor fullGate = zeros(new long[] {n, experts}, f64).scatter_(1, probed, gate.to(ScalarType.Double)); // [n, E]
        Tensor isProbed = zeros(new long[] {n, experts}, f64)
                .scatter_(1, probed, new Scalar(1.0)).index_select(1, expertOfKey).gt(new Scalar(0.5)); // [n, N] bool
        Tensor scaled = x.to(ScalarType.Double).matmul(keys.to(ScalarType.Double).t())
                .mul(fullGate.index_select(1, expertOfKey))
                .masked_fill(isProbed.logical_not(), new Scalar(Double.NEGATIVE_INFINITY)); // [n, N]

        // The fp32 rounding bound of each candidate: a d-term dot product, then one product by the gate:
        // (d + 1) * 2^-24 * sum_i |x_i k_i| * gate (the standard dot-product bound).
        Tensor bound = x.to(ScalarType.Double).abs().matmul(keys.to(ScalarType.Double).abs().t())
                .mul(fullGate.index_select(1, expertOfKey)).mul(new Scalar((d + 1) * Math.pow(2, -24))); // [n, N]
        T_TensorTensor_T top = scaled.topk(k + 1, 1, true, true);
        Tensor refTop = new Tensor(top.get0()); // [n, k+1]
        Tensor refTopIds = new Tensor(top.get1()); // [n, k+1]
        // scores: the reference's value of each selected neuron, to its rounding bound
        Tensor selectedRef = scaled.gather(1, sel.neurons()); // [n, k]
        Tensor selectedBound = bound.gather(1, sel.neurons()); // [n, k]
        assertThat(sel.scores().to(ScalarType.Double).sub(selectedRef).abs().sub(selectedBound).max().item_double())
                .isLessThanOrEqualTo(0);
        // sets: every selected neuron scores at least the reference's k-th score, up to both roundings
        Tensor kth = refTop.narrow(1, k - 1, 1); // [n, 1]
        Tensor kthBound = bound.gather(1, refTopIds.narrow(1, k - 1, 1)); // [n, 1]
        assertThat(selectedRef.sub(kth).add(selectedBound).add(kthBound).min().item_double()).isGreaterThanOrEqualTo(0);
        // and where the reference's k-th and (k+1)-th scores are further apart than their roundings, the sets are identical
        Tensor nextBound = bound.gather(1, refTopIds.narrow(1, k, 1)); // [n, 1]
        Tensor clearGap = kth.sub(refTop.narrow(1, k, 1)).gt(kthBound.add(nextBound)).squeeze(1); // [n]
        Tensor refIds = sortedRows(refTopIds.narrow(1, 0, k)); // [n, k]
        Tensor same = sortedRows(sel.neurons()).eq(refIds).all(1); // [n]
        assertThat(same.logical_or(clearGap.logical_not()).all().item_bool()).isTrue();
        assertThat(clearGap.sum().item_long()).as("tokens with a clear boundary").isGreaterThan(n * 9 / 10);
        // the probe slot names the expert that holds each neuron
        Tensor held = probed.gather(1, sel.probeSlot());
        assertThat(held.equal(expertOfKey.index_select(0, sel.neurons().reshape(-1)).view(n, k))).isTrue();
    }

    /** Each row's values in ascending order (a set, comparable with eq). */
    private static Tensor sortedRows(Tensor t) {
        T_TensorTensor_T s = sort(t, 1, false);
        return new Tensor(s.get0()); // a copy: get0 is a view into the tuple
    }
}
