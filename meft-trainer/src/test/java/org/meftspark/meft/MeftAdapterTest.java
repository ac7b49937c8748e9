package org.meftspark.meft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.*;

import java.util.List;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;
import org.meftspark.device.ComputeDevice;

/**
 * The MEFT adapter against dense references in float64 (meft-method.md sections 1 to 3): with
 * k = N it is a dense ReLU parallel adapter, with k < N the same adapter with all but each token's
 * top-k neurons masked out; gradients scattered into the host store equal dense autograd gradients.
 */
class MeftAdapterTest {
    static final TensorOptions F64 = new TensorOptions(ScalarType.Double);
    static final int D = 8;
    static final long N = 24;

    static Tensor randn64(long seed, long... shape) {
        Generator g = make_generator_cpu(seed);
        return randn(shape, new GeneratorOptional(g), F64);
    }

    /** A one-layer store with random keys and values (values are zero at init; random here so outputs are non-trivial). */
    static HostNeuronStore store(long neurons) {
        HostNeuronStore s = HostNeuronStore.allocate(1, neurons, D, false, 0.5, 11, ScalarType.Double, ComputeDevice.cpu(), Long.MAX_VALUE);
        s.layer(0).values.copy_(randn64(12, neurons, D));
        return s;
    }

    static MeftAdapter exactAdapter(HostNeuronStore s, int k, long cap) {
        return new MeftAdapter(s, new NeuronRetriever(k, null, 1), List.of(),
                new MeftAdapter.Settings(k, 1, cap, true, 5), ComputeDevice.cpu(), null);
    }

    /** Dense reference: relu(x K^T) masked to each token's top-k, times V. x [n, d]. */
    static Tensor dense(Tensor x, Tensor k, Tensor v, int topK) {
        Tensor a = x.matmul(k.t()); // [n, N]
        T_TensorTensor_T top = a.detach().topk(topK, 1, true, true);
        Tensor mask = zeros_like(a).scatter_(1, new Tensor(top.get1()), new Scalar(1.0));
        return a.relu().mul(mask).matmul(v);
    }

    private static void checkAgainstDense(int topK) {
        HostNeuronStore s = store(N);
        MeftAdapter ad = exactAdapter(s, topK, Long.MAX_VALUE);
        Tensor x = randn64(13, 2, 5, D); // [B, T, d]
        Tensor probe = randn64(14, 2, 5, D);
        ad.beginMicroBatch(0, 0);
        Tensor y = ad.ffnOutput(0, x, zeros_like(x));
        y.mul(probe).sum().backward();
        ad.collectGradients();

        Tensor k = s.layer(0).keys.clone().set_requires_grad(true);
        Tensor v = s.layer(0).values.clone().set_requires_grad(true);
        Tensor ref = dense(x.reshape(10, D), k, v, topK).view(2, 5, D);
        ref.mul(probe).sum().backward();

        assertThat(y.abs().max().item_double()).isGreaterThan(1e-3);
        assertThat(y.sub(ref).abs().max().item_double()).as("outputs").isLessThan(1e-12);
        assertThat(s.layer(0).keyGrad.sub(k.grad()).abs().max().item_double()).as("dL/dK").isLessThan(1e-12);
        assertThat(s.layer(0).valueGrad.sub(v.grad()).abs().max().item_double()).as("dL/dV").isLessThan(1e-12);
        assertThat(k.grad().abs().max().item_double()).isGreaterThan(1e-3);
    }

    @Test
    void withKEqualToNItIsTheDenseReluParallelAdapter() {
        checkAgainstDense((int) N);
    }

    @Test
    void withKBelowNItIsTheDenseAdapterWithTheOtherNeuronsMaskedOut() {
        checkAgainstDense(3);
    }

    @Test
    void gradientsAccumulatedOverFourMicroBatchesEqualOneBatchOfFourTimesTheSize() {
        Tensor x = randn64(21, 4, 3, D);
        Tensor probe = randn64(22, 4, 3, D);
        HostNeuronStore a = store(N);
        MeftAdapter ada = exactAdapter(a, 4, Long.MAX_VALUE);
        for (int mb = 0; mb < 4; mb++) {
            ada.beginMicroBatch(0, mb);
            ada.ffnOutput(0, x.narrow(0, mb, 1), zeros(new long[] {1, 3, D}, F64)).mul(probe.narrow(0, mb, 1)).sum().backward();
            ada.collectGradients();
        }
        HostNeuronStore b = store(N);
        MeftAdapter adb = exactAdapter(b, 4, Long.MAX_VALUE);
        adb.beginMicroBatch(0, 0);
        adb.ffnOutput(0, x, zeros_like(x)).mul(probe).sum().backward();
        adb.collectGradients();
        assertThat(a.layer(0).keyGrad.sub(b.layer(0).keyGrad).abs().max().item_double()).isLessThan(1e-12);
        assertThat(a.layer(0).valueGrad.sub(b.layer(0).valueGrad).abs().max().item_double()).isLessThan(1e-12);
        assertThat(a.layer(0).touched.equal(b.layer(0).touched)).isTrue();
        assertThat(b.layer(0).valueGrad.abs().max().item_double()).isGreaterThan(1e-3);
    }

    @Test
    void keyExpertsWithEveryExpertProbedSelectsExactlyTheTopKOfTheScaledScores() {
        long n = 9;
        ExpertLayout layout = new ExpertLayout(26, 5); // uneven blocks of 5 and 6 keys
        Tensor keys = randn64(31, 26, D);
        Tensor x = randn64(32, n, D);
        Tensor router = randn64(33, 5, D);
        Tensor gate = x.matmul(router.t()).softmax(1); // [n, E]
        T_TensorTensor_T order = gate.topk(5, 1, true, true);
        Tensor gv = new Tensor(order.get0());
        Tensor experts = new Tensor(order.get1());
        try (NeuronRetriever r = new NeuronRetriever(7, layout, 2)) {
            TokenSelection sel = r.keyExperts(x, keys, experts, gv);
            // reference: every key scored, scaled by the router score of the expert holding it
            // expert e holds [floor(eN/E), floor((e+1)N/E)); invert with a search over the starts
            Tensor expertOfKey = searchsorted(layout.starts(), arange(new Scalar(0), new Scalar(26), new TensorOptions(ScalarType.Long)),
                    false, true, new org.bytedeco.pytorch.StringViewOptional(), new org.bytedeco.pytorch.TensorOptional()).sub(new Scalar(1));
            Tensor scaled = x.matmul(keys.t()).mul(gate.index_select(1, expertOfKey)); // [n, N]
            T_TensorTensor_T ref = scaled.topk(7, 1, true, true);
            assertThat(sel.neurons().equal(new Tensor(ref.get1()))).isTrue();
            assertThat(sel.scores().sub(new Tensor(ref.get0())).abs().max().item_double()).isLessThan(1e-12);
            // and the probe slot names the expert that holds each neuron
            Tensor held = experts.gather(1, sel.probeSlot());
            assertThat(held.equal(expertOfKey.index_select(0, sel.neurons().reshape(-1)).view(n, 7))).isTrue();
        }
    }

    @Test
    void exactRetrievalInChunksMatchesOneTopKOverAllKeys() {
        Tensor keys = randn64(41, 300, D);
        Tensor x = randn64(42, 6, D);
        try (NeuronRetriever r = new NeuronRetriever(5, null, 1).withExactChunkElements(6 * 37)) { // 37 keys a chunk
            TokenSelection sel = r.exact(x, keys);
            T_TensorTensor_T ref = x.matmul(keys.t()).topk(5, 1, true, true);
            assertThat(sel.neurons().equal(new Tensor(ref.get1()))).isTrue();
        }
    }

    @Test
    void theCappedUnionIsReproducibleFromItsSeedAndConsistentWithTheSelections() {
        Tensor neurons = randperm(1000, new GeneratorOptional(make_generator_cpu(3)), new TensorOptions(ScalarType.Long))
                .narrow(0, 0, 120).view(30, 4);
        NeuronUnion a = NeuronUnion.of(neurons, 50, 99);
        NeuronUnion b = NeuronUnion.of(neurons, 50, 99);
        NeuronUnion c = NeuronUnion.of(neurons, 50, 100);
        assertThat(a.size()).isEqualTo(50);
        assertThat(a.uncapped()).isEqualTo(120);
        assertThat(a.capHit()).isTrue();
        assertThat(a.rows().equal(b.rows())).isTrue();
        assertThat(a.rows().equal(c.rows())).isFalse();
        assertThat(a.keep().sum().item_long()).isEqualTo(50);
        Tensor kept = a.rows().index_select(0, a.local().masked_select(a.keep()));
        assertThat(kept.equal(neurons.masked_select(a.keep()))).isTrue();
        NeuronUnion uncapped = NeuronUnion.of(neurons.remainder(new Scalar(17)), 50, 1);
        assertThat(uncapped.size()).isEqualTo(17);
        assertThat(uncapped.capHit()).isFalse();
        assertThat(uncapped.keep().all().item_bool()).isTrue();
    }

    @Test
    void aStoreThatDoesNotFitIsRefusedBeforeAllocation() {
        HostMemoryPlan plan = new HostMemoryPlan(32, 1 << 20, 4096, false, 4);
        assertThat(plan.totalBytes()).isGreaterThan(1L << 40);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HostNeuronStore.allocate(32, 1 << 20, 4096, false, 0.02, 1,
                        ScalarType.Float, ComputeDevice.cpu(), 8L << 30))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs").hasMessageContaining("8.00 GiB").hasMessageContaining("adapter.neurons");
        HostNeuronStore s = HostNeuronStore.allocate(2, 100, D, true, 0.02, 1, ScalarType.Float, ComputeDevice.cpu(), Long.MAX_VALUE);
        assertThat(s.bytes()).isEqualTo(new HostMemoryPlan(2, 100, D, true, 4).totalBytes());
    }

    /** One forward/backward of a float64 decoder with MEFT (Key-Experts, a small cap); the store's gradients. */
    private static Tensor[] decoderGradients(boolean recompute) {
        org.meftspark.model.ModelConfig c = new org.meftspark.model.ModelConfig(org.meftspark.model.ModelConfig.LLAMA, 30, D, 16,
                2, 2, 1, 4, 1e-5, 10000.0, 32, true, java.util.OptionalInt.empty(), 1, List.of(2), "float64");
        org.meftspark.model.Decoder dec = new org.meftspark.model.Decoder(c,
                org.meftspark.model.DecoderWeights.random(c, 4, 0.3, 0.1, ComputeDevice.cpu().device(), ScalarType.Double));
        HostNeuronStore s = HostNeuronStore.allocate(2, N, D, false, 0.5, 11, ScalarType.Double, ComputeDevice.cpu(), Long.MAX_VALUE);
        s.layer(0).values.copy_(randn64(12, N, D));
        s.layer(1).values.copy_(randn64(13, N, D));
        List<Tensor> routers = List.of(randn64(14, 4, D).set_requires_grad(true), randn64(15, 4, D).set_requires_grad(true));
        MeftAdapter ad = new MeftAdapter(s, new NeuronRetriever(3, new ExpertLayout(N, 4), 1), routers,
                new MeftAdapter.Settings(3, 2, 7, true, 5), ComputeDevice.cpu(), null);
        dec.setHooks(ad);
        dec.setRecomputeAll(recompute);
        Tensor tokens = randperm(30, new GeneratorOptional(make_generator_cpu(8)), new TensorOptions(ScalarType.Long))
                .narrow(0, 0, 12).view(2, 6);
        ad.beginMicroBatch(3, 1);
        dec.forward(tokens).mul(randn64(16, 2, 6, 30)).sum().backward();
        ad.collectGradients();
        // grad() is a borrowed reference into the router, which the GC may free once this method returns:
        // new Tensor(...) holds its own reference (the JVM crashed in abs() on a freed gradient without it).
        return new Tensor[] {s.layer(0).keyGrad, s.layer(1).valueGrad, new Tensor(routers.get(0).grad()),
                new Tensor(routers.get(1).grad())};
    }

    @Test
    void aLayerRecomputedInBackwardReusesItsSelectionSoGradientsAreUnchanged() {
        Tensor[] plain = decoderGradients(false);
        Tensor[] recomputed = decoderGradients(true);
        for (int i = 0; i < plain.length; i++) {
            assertThat(plain[i].abs().max().item_double()).as("gradient %d is non-zero", i).isGreaterThan(1e-6);
            assertThat(recomputed[i].sub(plain[i]).abs().max().item_double()).as("gradient %d", i).isLessThan(1e-12);
        }
    }
}
