package org.meftspark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;

class DecoderTest {
    private static final long[] SEQ = {3, 17, 5, 9, 33, 1, 28};

    private static void assertMatchesNaive(ModelConfig c) {
        Decoder dec = TinyModels.decoder(c, 11, ScalarType.Double);
        double[][] ref = new NaiveDecoder(c, dec.weights()).logits(java.util.Arrays.stream(SEQ).mapToInt(x -> (int) x).toArray());
        double[] got = NaiveDecoder.data(dec.forward(TinyModels.tokens(new long[][] {SEQ})));
        for (int t = 0; t < SEQ.length; t++) {
            for (int v = 0; v < c.vocabSize(); v++) {
                assertThat(got[t * c.vocabSize() + v]).as("t=%d v=%d", t, v).isCloseTo(ref[t][v], within(1e-10));
            }
        }
    }

    @Test
    void llamaWithGqaAndTiedHeadMatchesNaiveReference() {
        assertMatchesNaive(TinyModels.llama());
    }

    @Test
    void mistralWithSlidingWindowShorterThanSequenceMatchesNaiveReference() {
        assertMatchesNaive(TinyModels.mistral());
    }

    @Test
    void slidingWindowActuallyChangesTheResult() {
        // Guards the test above: with the window removed, late positions must differ.
        ModelConfig m = TinyModels.mistral();
        ModelConfig full = new ModelConfig(m.architecture(), m.vocabSize(), m.hiddenSize(), m.intermediateSize(),
                m.numHiddenLayers(), m.numAttentionHeads(), m.numKeyValueHeads(), m.headDim(), m.rmsNormEps(),
                m.ropeTheta(), m.maxPositionEmbeddings(), m.tieWordEmbeddings(), java.util.OptionalInt.empty(),
                m.bosTokenId(), m.eosTokenIds(), m.torchDtype());
        Decoder a = TinyModels.decoder(m, 11, ScalarType.Double);
        Decoder b = new Decoder(full, a.weights());
        Tensor x = TinyModels.tokens(new long[][] {SEQ});
        Tensor la = a.forward(x), lb = b.forward(x);
        assertThat(allclose(la.narrow(1, 0, 3), lb.narrow(1, 0, 3))).isTrue();
        assertThat(allclose(la.narrow(1, 6, 1), lb.narrow(1, 6, 1))).isFalse();
    }

    @Test
    void attentionWithoutAMaskIsThePlainCausalMaskAndIsUsedOnlyWhereTheyAgree() {
        manual_seed(3);
        TensorOptions f64 = new TensorOptions(ScalarType.Double);
        Tensor q = randn(new long[] {2, 4, 5, 8}, f64), k = randn(new long[] {2, 2, 5, 8}, f64), v = randn(new long[] {2, 2, 5, 8}, f64);
        Tensor allValid = ones(new long[] {2, 5}, new TensorOptions(ScalarType.Bool));
        assertThat(DecoderMath.plainCausal(allValid, 0, 5, 0)).isTrue();
        Tensor masked = DecoderMath.attention(q, k, v, DecoderMath.attentionMask(allValid, 0, 5, 0));
        assertThat(allclose(DecoderMath.attention(q, k, v, null), masked, 1e-12, 1e-12, false)).isTrue();
        // one query after four cached slots: every key, no mask
        Tensor last = q.narrow(2, 4, 1);
        assertThat(DecoderMath.plainCausal(allValid, 4, 1, 0)).isTrue();
        assertThat(allclose(DecoderMath.attention(last, k, v, null),
                DecoderMath.attention(last, k, v, DecoderMath.attentionMask(allValid, 4, 1, 0)), 1e-12, 1e-12, false)).isTrue();
        // where the mask says more than causal, it stays
        Tensor padded = allValid.clone();
        padded.select(0, 1).select(0, 0).fill_(new Scalar(0L));
        assertThat(DecoderMath.plainCausal(padded, 0, 5, 0)).as("a padding slot").isFalse();
        assertThat(DecoderMath.plainCausal(allValid, 0, 5, 4)).as("a window shorter than the sequence").isFalse();
        assertThat(DecoderMath.plainCausal(allValid, 0, 5, 5)).as("a window as long as the sequence").isTrue();
        assertThat(DecoderMath.plainCausal(allValid, 2, 3, 0)).as("several queries after cached slots").isFalse();
    }

    @Test
    void kvCacheDecodingEqualsFullForwardAtEveryStep() {
        for (ModelConfig c : new ModelConfig[] {TinyModels.llama(), TinyModels.mistral()}) {
            Decoder dec = TinyModels.decoder(c, 5, ScalarType.Double);
            Tensor full = dec.forward(TinyModels.tokens(new long[][] {SEQ})); // [1, T, V]
            KvCache cache = new KvCache(c.numHiddenLayers());
            Tensor first = dec.forward(TinyModels.tokens(new long[][] {{SEQ[0], SEQ[1]}}), null, cache);
            assertThat(allclose(first, full.narrow(1, 0, 2), 1e-10, 1e-10, false)).isTrue();
            for (int t = 2; t < SEQ.length; t++) {
                Tensor step = dec.forward(TinyModels.tokens(new long[][] {{SEQ[t]}}), null, cache);
                assertThat(allclose(step, full.narrow(1, t, 1), 1e-10, 1e-10, false)).as(c.architecture() + " step " + t).isTrue();
            }
            assertThat(cache.length()).isEqualTo(SEQ.length);
        }
    }

    @Test
    void leftPaddedBatchRowEqualsTheUnpaddedSequence() {
        ModelConfig c = TinyModels.mistral();
        Decoder dec = TinyModels.decoder(c, 3, ScalarType.Double);
        long[] shortSeq = {7, 8, 9, 10};
        Tensor alone = dec.forward(TinyModels.tokens(new long[][] {shortSeq}));
        Tensor batch = TinyModels.tokens(new long[][] {SEQ, {0, 0, 0, 7, 8, 9, 10}});
        Tensor valid = TinyModels.tokens(new long[][] {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1}}).to(ScalarType.Bool);
        Tensor out = dec.forward(batch, valid, null);
        assertThat(allclose(out.select(0, 1).narrow(0, 3, 4), alone.select(0, 0), 1e-10, 1e-10, false)).isTrue();
        assertThat(allclose(out.select(0, 0), dec.forward(TinyModels.tokens(new long[][] {SEQ})).select(0, 0), 1e-10, 1e-10, false)).isTrue();
        assertThat(isfinite(out).all().item_bool()).isTrue();
    }

    @Test
    void float32ForwardAgreesWithFloat64() {
        ModelConfig c = TinyModels.llama();
        Tensor x = TinyModels.tokens(new long[][] {SEQ});
        Tensor f64 = TinyModels.decoder(c, 2, ScalarType.Double).forward(x);
        Tensor f32 = TinyModels.decoder(c, 2, ScalarType.Float).forward(x);
        assertThat(f32.scalar_type().intern()).isEqualTo(ScalarType.Float);
        assertThat(f32.to(ScalarType.Double).sub(f64).abs().max().item_double()).isLessThan(1e-4);
    }

    @Test
    void frozenWeightsTakeNoGradients() {
        Decoder dec = TinyModels.decoder(TinyModels.llama(), 2, ScalarType.Float);
        assertThat(dec.weights().embed.requires_grad()).isFalse();
        assertThat(dec.forward(TinyModels.tokens(new long[][] {SEQ})).requires_grad()).isFalse();
        assertThat(dec.weights().lmHead.data_ptr().address()).isEqualTo(dec.weights().embed.data_ptr().address());
    }

}
