package org.meftspark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.pytorch.global.torch.*;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rotary scaling (issue 19 item 1) against the naive reference decoder, which writes the same
 * formulas out again. head_dim 16 and theta 10000 give wavelengths 6.3, 19.9, 62.8, 199, ... so an
 * original context of 64 with low/high factors 1/4 puts pair 0 in the unchanged band (< 16), pairs
 * 1 and 2 in the smoothed band (16 .. 64) and pairs 3 to 7 in the divided band (> 64).
 */
class RopeScalingTest {
    private static final long[] SEQ = {3, 17, 5, 9, 33, 1, 28};
    private static final RopeScaling LLAMA3 = new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 64);

    @TempDir
    Path tmp;

    /** A Llama-3-shaped tiny model: GQA 4/2 heads, head_dim 16, untied head; max 4 positions for dynamic NTK. */
    static ModelConfig tiny(RopeScaling r) {
        int maxPos = r.type() == RopeScaling.Type.DYNAMIC ? 4 : 64;
        return new ModelConfig(ModelConfig.LLAMA, 40, 32, 48, 2, 4, 2, 16, 1e-5, 10000.0, maxPos, false,
                OptionalInt.empty(), 1, List.of(2, 3), "float32", r);
    }

    static RopeScaling scaling(String type) {
        return switch (type) {
            case "llama3" -> LLAMA3;
            case "linear" -> new RopeScaling(RopeScaling.Type.LINEAR, 4, 0, 0, 0);
            // max_position_embeddings 4 < 7 tokens: the base is rescaled for the test sequence
            case "dynamic" -> new RopeScaling(RopeScaling.Type.DYNAMIC, 2, 0, 0, 0);
            default -> RopeScaling.NONE;
        };
    }

    private static int[] ints(long[] a) {
        return Arrays.stream(a).mapToInt(x -> (int) x).toArray();
    }

    @Test
    void theTestConfigurationPutsFrequenciesInEveryLlama3Band() {
        int[] bands = LLAMA3.llama3Bands(16, 10000.0);
        assertThat(bands).containsExactly(0, 1, 1, 2, 2, 2, 2, 2);
        double[] base = RopeScaling.defaultInverseFrequencies(16, 10000.0);
        double[] scaled = RopeScaling.llama3(base, 8, 1, 4, 64);
        assertThat(scaled[0]).isEqualTo(base[0]);
        assertThat(scaled[1]).isStrictlyBetween(base[1] / 8, base[1]);
        assertThat(scaled[2]).isStrictlyBetween(base[2] / 8, base[2]);
        assertThat(scaled[5]).isCloseTo(base[5] / 8, within(1e-18));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "linear", "dynamic"})
    void scaledDecoderMatchesTheNaiveReferenceInFloat64(String type) {
        ModelConfig c = tiny(scaling(type));
        Decoder dec = TinyModels.decoder(c, 13, ScalarType.Double);
        double[][] ref = new NaiveDecoder(c, dec.weights()).logits(ints(SEQ));
        double[] got = NaiveDecoder.data(dec.forward(TinyModels.tokens(new long[][] {SEQ})));
        for (int t = 0; t < SEQ.length; t++) {
            for (int v = 0; v < c.vocabSize(); v++) {
                assertThat(got[t * c.vocabSize() + v]).as("%s t=%d v=%d", type, t, v).isCloseTo(ref[t][v], within(1e-10));
            }
        }
        // Guard: the same weights with plain RoPE give other logits, so the test above sees the scaling.
        Tensor plain = new Decoder(tiny(RopeScaling.NONE), dec.weights()).forward(TinyModels.tokens(new long[][] {SEQ}));
        assertThat(allclose(plain, dec.forward(TinyModels.tokens(new long[][] {SEQ})), 1e-6, 1e-6, false)).as(type).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "linear"})
    void kvCacheDecodingEqualsTheFullForward(String type) {
        // Static scalings rotate a position the same whatever the sequence length, so cached keys stay valid.
        ModelConfig c = tiny(scaling(type));
        Decoder dec = TinyModels.decoder(c, 5, ScalarType.Double);
        Tensor full = dec.forward(TinyModels.tokens(new long[][] {SEQ}));
        KvCache cache = new KvCache(c.numHiddenLayers());
        dec.forward(TinyModels.tokens(new long[][] {{SEQ[0], SEQ[1]}}), null, cache);
        for (int t = 2; t < SEQ.length; t++) {
            Tensor step = dec.forward(TinyModels.tokens(new long[][] {{SEQ[t]}}), null, cache);
            assertThat(allclose(step, full.narrow(1, t, 1), 1e-10, 1e-10, false)).as(type + " step " + t).isTrue();
        }
    }

    @Test
    void dynamicNtkWithinTheOriginalContextIsPlainRope() {
        ModelConfig c = tiny(scaling("dynamic"));
        Decoder dec = TinyModels.decoder(c, 5, ScalarType.Double);
        Tensor x = TinyModels.tokens(new long[][] {{3, 17, 5, 9}}); // 4 tokens = max_position_embeddings
        Tensor plain = new Decoder(c.withRopeScaling(RopeScaling.NONE), dec.weights()).forward(x);
        assertThat(allclose(plain, dec.forward(x), 1e-12, 1e-12, false)).isTrue();
    }

    @Test
    void linearAndDynamicStretchThePositionLimitLlama3DoesNot() {
        assertThat(tiny(scaling("linear")).positionLimit()).isEqualTo(256);
        assertThat(tiny(scaling("dynamic")).positionLimit()).isEqualTo(8);
        assertThat(tiny(LLAMA3).positionLimit()).isEqualTo(64);
        Decoder dec = TinyModels.decoder(tiny(scaling("dynamic")), 5, ScalarType.Double);
        assertThatThrownBy(() -> dec.forward(TinyModels.tokens(new long[][] {{1, 2, 3, 4, 5, 6, 7, 8, 9}})))
                .hasMessageContaining("exceeds the model's 8 positions").hasMessageContaining("stretched by rope_scaling");
    }

    @Test
    void aLlama3StyleRandomFolderMatchesTheReferenceWithin1e4Relative() {
        // Saved in float32 and loaded as a user's folder would be: config.json with rope_scaling + safetensors.
        ModelConfig c = tiny(LLAMA3);
        Path folder = tmp.resolve("llama3-tiny");
        ModelFolder.initRandom(c, 29, folder);
        Decoder dec = ModelFolder.load(folder, TinyModels.CPU, ScalarType.Float);
        assertThat(dec.config().ropeScaling()).isEqualTo(LLAMA3);
        double[][] ref = new NaiveDecoder(dec.config(), dec.weights()).logits(ints(SEQ));
        double[] got = NaiveDecoder.data(dec.forward(TinyModels.tokens(new long[][] {SEQ})));
        assertThat(NaiveDecoder.maxRelativeError(ref, got, c.vocabSize())).as("max |error| / max |logit|").isLessThan(1e-4);
    }

    @Test
    void parsesRopeScalingAndRopeParametersAndRefusesOtherTypesByName() {
        String llama31 = """
                {"architectures": ["LlamaForCausalLM"], "rope_theta": 500000.0,
                 "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                  "original_max_position_embeddings": 8192, "rope_type": "llama3"}}""";
        ModelConfig a = ModelConfig.parse(llama31, "t");
        assertThat(a.ropeScaling()).isEqualTo(new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 8192));
        assertThat(a.ropeTheta()).isEqualTo(500000.0);
        // transformers 5: rope_parameters carries the type and rope_theta
        ModelConfig b = ModelConfig.parse("""
                {"architectures": ["LlamaForCausalLM"],
                 "rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 20000.0}}""", "t");
        assertThat(b.ropeScaling().type()).isEqualTo(RopeScaling.Type.LINEAR);
        assertThat(b.ropeTheta()).isEqualTo(20000.0);
        // the older key name "type"
        assertThat(ModelConfig.parse("""
                {"architectures": ["LlamaForCausalLM"], "rope_scaling": {"type": "dynamic", "factor": 2.0}}""", "t")
                .ropeScaling().type()).isEqualTo(RopeScaling.Type.DYNAMIC);
        assertThat(ModelConfig.parse(a.toJson(), "round trip")).isEqualTo(a);
        assertThatThrownBy(() -> ModelConfig.parse("""
                {"architectures": ["LlamaForCausalLM"], "rope_scaling": {"rope_type": "yarn", "factor": 4.0}}""", "cfg"))
                .hasMessageContaining("cfg: ").hasMessageContaining("rope_scaling type 'yarn' is not implemented");
        assertThatThrownBy(() -> ModelConfig.parse("""
                {"architectures": ["LlamaForCausalLM"], "rope_scaling": {"rope_type": "llama3", "factor": 8.0}}""", "cfg"))
                .hasMessageContaining("low_freq_factor is missing");
    }
}
