package org.meftspark.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.data.SourceLocation;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.LayerWeights;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.Projection;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.testsupport.SharedFiles;
import org.meftspark.tokenize.HfTokenizer;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.TruncationSide;

/**
 * Evaluation with the Llama 3 tokenizer of ../shared (issue 19 items 3 and 4): each id of the model's
 * end-token list and of the tokenizer's (EOS, the chat template's end of turn) stops generation,
 * and a chat prompt ends with the template's generation prompt.
 *
 * <p>The model is built to emit one chosen token at every step: every layer's weights are zero (each
 * layer adds nothing to the residual stream), every embedding row is ones, and only the chosen
 * token's LM-head row is non-zero, so its logit is the sum of the final norm's weights and all others 0.
 */
class Llama3EndTokensTest {
    private static final Device CPU = new Device(DeviceType.CPU);
    /** Llama-3.1-8B-Instruct's end list at test size: 128256 ids, d 8, one layer. */
    private static final ModelConfig CFG = new ModelConfig(ModelConfig.LLAMA, 128256, 8, 16, 1, 2, 1, 4, 1e-5, 500000.0,
            256, false, OptionalInt.empty(), 128000, List.of(128001, 128008, 128009), "float32");
    private static HfTokenizer llama3;
    private static Decoder decoder;

    @BeforeAll
    static void load() {
        llama3 = HfTokenizer.load(SharedFiles.require("tokenizers/llama3"));
        DecoderWeights w = DecoderWeights.random(CFG, 3, 0.02, 0.0, CPU, ScalarType.Float);
        for (LayerWeights l : w.layers) {
            for (Projection p : Projection.values()) {
                l.weight(p).zero_();
            }
        }
        w.embed.fill_(new Scalar(1.0));
        decoder = new Decoder(CFG, w);
    }

    @AfterAll
    static void close() {
        if (llama3 != null) {
            llama3.close();
        }
    }

    private static void alwaysEmit(int token) {
        decoder.weights().lmHead.zero_();
        decoder.weights().lmHead.select(0, token).fill_(new Scalar(1.0));
    }

    private static Prediction answer(boolean chat) {
        SequenceBuilder prompts = new SequenceBuilder(llama3, PromptTemplates.builtIn(), 128, TruncationSide.LEFT, chat);
        DecodingSettings s = new DecodingSettings(1, 1, 1.0, Map.of(Dataset.NQ_OPEN, new DatasetDecoding(List.of("\n\n\n"), 5)));
        Example e = new Example("nq_open:1", Dataset.NQ_OPEN, "test", Map.of("question", "who wrote hamlet"), "Shakespeare",
                List.of("Shakespeare"), new SourceLocation("t.jsonl", 1, 0));
        GenerationResult r = new PredictionGenerator(decoder, null, llama3, s).generate(List.of(e), prompts);
        assertThat(r.skipped()).isEmpty();
        return r.predictions().get(0);
    }

    @Test
    void everyEndTokenStopsGenerationAndAnOrdinaryTokenDoesNot() {
        alwaysEmit(9906); // "Hello"
        Prediction free = answer(false);
        assertThat(free.generatedTokens()).isEqualTo(5);
        assertThat(free.prediction()).isEqualTo("HelloHelloHelloHelloHello");
        // config.json's list, the tokenizer's EOS <|end_of_text|> and its chat template's <|eot_id|>
        for (int end : List.of(128001, 128008, 128009)) {
            alwaysEmit(end);
            Prediction p = answer(false);
            assertThat(p.generatedTokens()).as("end id %d", end).isZero();
            assertThat(p.prediction()).isEmpty();
        }
        assertThat(llama3.endIds()).containsExactly(128001, 128009);
    }

    @Test
    void aChatPromptEndsWithTheGenerationPrompt() {
        alwaysEmit(9906);
        Prediction p = answer(true);
        // special tokens are skipped in the decoded prompt: the header names and blank lines remain
        assertThat(p.prompt()).startsWith("user\n\n").contains("Question: who wrote hamlet").endsWith("Answer:assistant\n\n");
        assertThat(p.prediction()).isEqualTo("HelloHelloHelloHelloHello");
        alwaysEmit(128009);
        assertThat(answer(true).generatedTokens()).isZero();
    }
}
