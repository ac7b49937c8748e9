package org.meftspark.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meftspark.train.ModelFamiliesTest;

/**
 * The forward of each family's scaled-down random folder (issue 19 item 2), saved in float32 and
 * loaded as a user's folder would be, against the naive reference: within 1e-4 of the largest logit.
 */
class FamilyReferenceTest {
    private static final int[] SEQ = {1, 17, 5, 9, 33, 60, 28, 3};

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama-7b", "llama-2-7b", "tinyllama-1.1b-chat-v1.0", "llama-3.1-8b-instruct",
            "llama-3.2-1b-instruct", "llama-3.2-3b-instruct", "mistral-7b-v0.1", "mistral-7b-v0.3"})
    void scaledFolderLogitsMatchTheNaiveReference(String family) {
        ModelConfig c = ModelFamiliesTest.scaled(ModelFamiliesTest.real(family));
        ModelFolder.initRandom(c, 43, tmp);
        Decoder dec = ModelFolder.load(tmp, TinyModels.CPU, ScalarType.Float);
        double[][] ref = new NaiveDecoder(dec.config(), dec.weights()).logits(SEQ);
        long[] seq = java.util.Arrays.stream(SEQ).asLongStream().toArray();
        double[] got = NaiveDecoder.data(dec.forward(TinyModels.tokens(new long[][] {seq})));
        assertThat(NaiveDecoder.maxRelativeError(ref, got, c.vocabSize())).as(family).isLessThan(1e-4);
    }
}
