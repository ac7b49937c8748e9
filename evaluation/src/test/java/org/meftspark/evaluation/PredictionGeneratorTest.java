package org.meftspark.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.data.SourceLocation;
import org.meftspark.generation.GenerationConfig;
import org.meftspark.generation.TextGenerator;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderHooks;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.ModelFolder;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.tokenize.TruncationSide;

/** The driver against direct {@link TextGenerator} calls on a tiny random model (milliseconds per step). */
class PredictionGeneratorTest {
    private static final Device CPU = new Device(DeviceType.CPU);
    private static final ModelConfig CFG = new ModelConfig(ModelConfig.LLAMA, 40, 16, 24, 2, 4, 2, 4, 1e-5, 10000.0, 512, true,
            OptionalInt.empty(), CharTokenizer.BOS, List.of(CharTokenizer.EOS), "float32");
    private static final Decoder DEC = new Decoder(CFG, DecoderWeights.random(CFG, 5, 0.6, 0.2, CPU, ScalarType.Float));
    private static final CharTokenizer TOK = new CharTokenizer();
    private static final SequenceBuilder PROMPTS = new SequenceBuilder(TOK, PromptTemplates.builtIn(), 512, TruncationSide.RIGHT);

    private static Example nq(String id, String question) {
        return new Example("nq_open:" + id, Dataset.NQ_OPEN, "test", Map.of("question", question), "x", List.of("x"),
                new SourceLocation("t.jsonl", 1, 0));
    }

    private static Example squad(String id, String context) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("context", context);
        f.put("question", "What?");
        return new Example("squad:" + id, Dataset.SQUAD, "test", f, "y", List.of("y"), new SourceLocation("t.json", 0, 0));
    }

    private static final List<Example> QUESTIONS = List.of(nq("a", "who wrote it"), nq("b", "when was the last time anyone was on the moon"),
            nq("c", "why"), nq("d", "how many seasons are there"));

    private static DecodingSettings settings(int beams, int batch, List<String> stops, int maxNew) {
        return new DecodingSettings(beams, batch, 1.0, Map.of(Dataset.NQ_OPEN, new DatasetDecoding(stops, maxNew),
                Dataset.SQUAD, new DatasetDecoding(List.of("\n"), maxNew)));
    }

    /** What TextGenerator itself answers for one example, decoded. */
    private static String direct(Example e, GenerationConfig cfg) {
        long[] prompt = Arrays.stream(PROMPTS.promptIds(e)).asLongStream().toArray();
        long[] out = new TextGenerator(DEC).generate(List.of(prompt), cfg).get(0);
        return TOK.decode(Arrays.stream(out).mapToInt(x -> (int) x).toArray()).strip();
    }

    @Test
    void batchedAnswersEqualSingleTextGeneratorCallsInInputOrder() {
        GenerationResult r = new PredictionGenerator(DEC, null, TOK, settings(1, 3, List.of(), 12)).generate(QUESTIONS, PROMPTS);
        assertThat(r.skipped()).isEmpty();
        assertThat(r.predictions()).extracting(Prediction::id).containsExactly("nq_open:a", "nq_open:b", "nq_open:c", "nq_open:d");
        GenerationConfig greedy = GenerationConfig.greedy(12, List.of(CharTokenizer.EOS));
        for (int i = 0; i < QUESTIONS.size(); i++) {
            Prediction p = r.predictions().get(i);
            assertThat(p.prediction()).as("example %d", i).isEqualTo(direct(QUESTIONS.get(i), greedy));
            assertThat(p.generatedTokens()).isBetween(0, 12);
            assertThat(p.promptTokens()).isEqualTo(PROMPTS.promptIds(QUESTIONS.get(i)).length);
            assertThat(p.prompt()).contains(QUESTIONS.get(i).fields().get("question").replace(" ", "").substring(0, 3));
            assertThat(p.references()).containsExactly("x");
        }
        assertThat(r.predictions()).anyMatch(p -> !p.prediction().isEmpty());
    }

    @Test
    void stopStringsEndGenerationEarlyAndCutTheText() {
        List<Prediction> free = new PredictionGenerator(DEC, null, TOK, settings(1, 4, List.of(), 24)).generate(QUESTIONS, PROMPTS).predictions();
        Prediction longest = free.stream().max((x, y) -> Integer.compare(x.prediction().length(), y.prediction().length())).orElseThrow();
        String text = longest.prediction();
        assertThat(text).as("the random model writes something to stop in").hasSizeGreaterThan(6);
        String stop = text.substring(4, 6);
        List<Prediction> stopped = new PredictionGenerator(DEC, null, TOK, settings(1, 4, List.of(stop), 24))
                .generate(QUESTIONS, PROMPTS).predictions();
        Prediction p = stopped.get(free.indexOf(longest));
        assertThat(p.prediction()).isEqualTo(text.substring(0, text.indexOf(stop)).strip());
        assertThat(p.generatedTokens()).isLessThan(longest.generatedTokens()); // the token sequence ended decoding
        for (int i = 0; i < free.size(); i++) {
            assertThat(stopped.get(i).prediction()).isEqualTo(StopStrings.cut(free.get(i).prediction(), List.of(stop)).strip());
        }
    }

    @Test
    void anAdapterGivenAsHooksChangesTheAnswersAndIsRemovedAfterwards() {
        ScalingFfnHooks hooks = new ScalingFfnHooks(-3.0);
        List<Prediction> base = new PredictionGenerator(DEC, null, TOK, settings(1, 2, List.of(), 10)).generate(QUESTIONS, PROMPTS).predictions();
        List<Prediction> adapted = new PredictionGenerator(DEC, hooks, TOK, settings(1, 2, List.of(), 10)).generate(QUESTIONS, PROMPTS).predictions();
        assertThat(hooks.calls).isPositive();
        assertThat(DEC.hooks()).isSameAs(DecoderHooks.NONE);
        assertThat(adapted).extracting(Prediction::prediction).isNotEqualTo(base.stream().map(Prediction::prediction).toList());
        DEC.setHooks(hooks);
        try {
            GenerationConfig greedy = GenerationConfig.greedy(10, List.of(CharTokenizer.EOS));
            for (int i = 0; i < QUESTIONS.size(); i++) {
                assertThat(adapted.get(i).prediction()).isEqualTo(direct(QUESTIONS.get(i), greedy));
            }
        } finally {
            DEC.setHooks(null);
        }
    }

    @Test
    void beamSearchThroughTheDriverIsBatchInvariant() {
        List<Prediction> batched = new PredictionGenerator(DEC, null, TOK, settings(3, 4, List.of("\n"), 8)).generate(QUESTIONS, PROMPTS).predictions();
        List<Prediction> single = new PredictionGenerator(DEC, null, TOK, settings(3, 1, List.of("\n"), 8)).generate(QUESTIONS, PROMPTS).predictions();
        assertThat(batched).isEqualTo(single);
        GenerationConfig beam = new GenerationConfig(8, 3, List.of(CharTokenizer.EOS), StopStrings.tokenSequences(TOK, List.of("\n")),
                CharTokenizer.PAD, 1.0);
        assertThat(batched.get(1).prediction()).isEqualTo(StopStrings.cut(direct(QUESTIONS.get(1), beam), List.of("\n")).strip());
    }

    @Test
    void longPromptsAreCutByTheTrainingPolicyOrSkippedWithAReason() {
        String context = "word ".repeat(80);
        SequenceBuilder shortSeq = new SequenceBuilder(TOK, PromptTemplates.builtIn(), 200, TruncationSide.RIGHT);
        PredictionGenerator g = new PredictionGenerator(DEC, null, TOK, settings(1, 2, List.of(), 4));
        GenerationResult r = g.generate(List.of(squad("long", context), nq("ok", "why")), shortSeq);
        assertThat(r.predictions()).hasSize(2);
        Prediction cut = r.predictions().get(0);
        assertThat(cut.promptTokens()).isEqualTo(199);
        assertThat(cut.truncatedTokens()).isEqualTo(PROMPTS.promptIds(squad("long", context)).length - 199);
        assertThat(cut.prompt()).contains("\nquestionw6what").endsWith("\nanswerw"); // ":" folds to "w" in the test tokenizer

        GenerationResult tooShort = g.generate(List.of(squad("s", context)), new SequenceBuilder(TOK, PromptTemplates.builtIn(), 40, TruncationSide.RIGHT));
        assertThat(tooShort.predictions()).isEmpty();
        assertThat(tooShort.skipped()).singleElement().satisfies(s -> assertThat(s.reason()).contains("context"));

        // Shard rows: prompt taken as written; one that leaves no room for new tokens is skipped, not cut.
        int[] ids = new int[600];
        ids[0] = CharTokenizer.BOS;
        GenerationResult shards = g.generateTokenized(List.of(
                new TokenizedExample("nq_open:big", "nq_open", "test", ids, 590, List.of("x"), "s", 0),
                new TokenizedExample("nq_open:small", "nq_open", "test", new int[] {CharTokenizer.BOS, 3, 4, 5, CharTokenizer.EOS}, 4, List.of("x"), "s", 0),
                new TokenizedExample("odd:1", "odd", "test", new int[] {1, 2}, 1, List.of("x"), "s", 0)));
        assertThat(shards.predictions()).extracting(Prediction::id).containsExactly("nq_open:small");
        assertThat(shards.predictions().get(0).promptTokens()).isEqualTo(4);
        assertThat(shards.skipped()).extracting(GenerationResult.Skipped::id).containsExactly("nq_open:big", "odd:1");
        assertThat(g.maxPromptTokens(Dataset.NQ_OPEN)).isEqualTo(512 - 4);
    }

    @Test
    void opensAModelFolderAndAnswersAsTheModelInMemory(@TempDir Path dir) {
        ModelFolder.save(DEC, dir);
        DecodingSettings s = settings(1, 4, List.of(), 6);
        List<Prediction> fromFolder = PredictionGenerator.open(dir, CPU, ScalarType.Float, null, TOK, s).generate(QUESTIONS, PROMPTS).predictions();
        assertThat(fromFolder).isEqualTo(new PredictionGenerator(DEC, null, TOK, s).generate(QUESTIONS, PROMPTS).predictions());
        List<String> all = new ArrayList<>();
        fromFolder.forEach(p -> all.add(p.prediction()));
        assertThat(all).hasSize(4);
    }
}
