package org.meftspark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.data.RejectReason;
import org.meftspark.data.SourceLocation;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.testing.SharedFiles;

/** Exact expectations with the byte tokenizer (one id per ASCII char), then the real Mistral tokenizer. */
class SequenceBuilderTest {
    private static final PromptTemplates TEMPLATES = PromptTemplates.builtIn();

    static Example squad(String context, String question, String answer) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("context", context);
        f.put("question", question);
        return new Example("squad:x", Dataset.SQUAD, "train", f, answer, List.of(answer), new SourceLocation("f.json", 3, 0));
    }

    static String prompt(Example e) {
        return TEMPLATES.get(e.dataset()).render(e.fields()).text();
    }

    static String bytes(int[] ids, int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = from; i < to; i++) {
            b[i - from] = (byte) ids[i];
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void layoutIsBosPromptSpaceTargetEosWithPromptMasked() {
        Example e = squad("Paris is in France.", "Where is Paris?", "France");
        String p = prompt(e);
        SequenceResult r = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, 1000, TruncationSide.RIGHT).build(e);
        TokenizedExample t = ((SequenceResult.Built) r).example();
        int[] ids = t.inputIds();
        assertThat(ids[0]).isEqualTo(ByteTokenizer.BOS);
        assertThat(ids[ids.length - 1]).isEqualTo(ByteTokenizer.EOS);
        assertThat(t.promptLength()).isEqualTo(1 + p.length());
        assertThat(bytes(ids, 1, t.promptLength())).isEqualTo(p);
        assertThat(bytes(ids, t.promptLength(), ids.length - 1)).isEqualTo(" France");
        byte[] mask = t.lossMask();
        assertThat(mask[t.promptLength() - 1]).isZero();
        assertThat(mask[t.promptLength()]).isOne();
        assertThat(mask[ids.length - 1]).isOne();
        assertThat(t.truncatedTokens()).isZero();
        assertThat(t.source()).isEqualTo("f.json:3");
    }

    @Test
    void squadTruncationCutsOnlyTheContextFromTheConfiguredSide() {
        Example e = squad("AAAAABBBBB", "Q?", "yes");
        int full = 1 + prompt(e).length() + 4 + 1;
        for (TruncationSide side : TruncationSide.values()) {
            SequenceResult r = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, full - 5, side).build(e);
            TokenizedExample t = ((SequenceResult.Built) r).example();
            assertThat(t.inputIds()).hasSize(full - 5);
            assertThat(t.truncatedTokens()).isEqualTo(5);
            String kept = bytes(t.inputIds(), 1, t.promptLength());
            assertThat(kept).isEqualTo(prompt(e).replace("AAAAABBBBB", side == TruncationSide.RIGHT ? "AAAAA" : "BBBBB"));
            assertThat(bytes(t.inputIds(), t.promptLength(), t.inputIds().length - 1)).isEqualTo(" yes");
        }
    }

    @Test
    void targetIsNeverCutAndOverlongExamplesAreDroppedWithAReason() {
        Example longTarget = squad("ctx", "q", "x".repeat(50));
        SequenceResult r = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, 50, TruncationSide.RIGHT).build(longTarget);
        assertThat(((SequenceResult.Dropped) r).rejection().reason()).isEqualTo(RejectReason.TARGET_TOO_LONG);

        // The target fits, but the template text alone exceeds the room left: nothing the field can give.
        Example shortCtx = squad("c", "q", "yes");
        SequenceResult r2 = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, 60, TruncationSide.RIGHT).build(shortCtx);
        assertThat(((SequenceResult.Dropped) r2).rejection().reason()).isEqualTo(RejectReason.PROMPT_TOO_LONG);
        assertThat(((SequenceResult.Dropped) r2).rejection().message()).contains("context");
    }

    @Test
    void withMistralPromptTokensMatchThePromptAloneAndBosIsOne() {
        try (HfTokenizer mistral = HfTokenizer.load(SharedFiles.require("tokenizers/mistral"))) {
            PromptTemplates t = PromptTemplates.builtIn();
            Example e = squad("Melbourne is described as the sporting capital of Australia.",
                    "What city is the sporting capital of Australia?", "Melbourne");
            SequenceBuilder b = new SequenceBuilder(mistral, t, 512, TruncationSide.RIGHT);
            TokenizedExample x = ((SequenceResult.Built) b.build(e)).example();
            assertThat(x.inputIds()[0]).isEqualTo(1);
            assertThat(x.inputIds()[x.inputIds().length - 1]).isEqualTo(2);
            assertThat(java.util.Arrays.copyOf(x.inputIds(), x.promptLength())).containsExactly(b.promptIds(e));
            int[] target = java.util.Arrays.copyOfRange(x.inputIds(), x.promptLength(), x.inputIds().length - 1);
            assertThat(mistral.decode(target)).isEqualTo("Melbourne");

            // Five tokens too many: question and target stay whole, the context's end goes.
            int shorter = x.inputIds().length - 5;
            TokenizedExample cut = ((SequenceResult.Built) new SequenceBuilder(mistral, t, shorter, TruncationSide.RIGHT)
                    .build(e)).example();
            assertThat(cut.inputIds()).hasSize(shorter);
            assertThat(cut.truncatedTokens()).isEqualTo(5);
            String promptText = mistral.decode(java.util.Arrays.copyOf(cut.inputIds(), cut.promptLength()));
            assertThat(promptText).contains("Question: What city is the sporting capital of Australia?")
                    .contains("Passage: Melbourne").doesNotContain("Australia.\n");
        }
    }

    @Test
    void templateWithoutTheTruncatableFieldIsNeverCut(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("squad.txt"), "Q: {question}\nA:\n");
        PromptTemplates custom = PromptTemplates.load(dir);
        Example e = squad("a long context the template does not use", "What?", "It");
        int fits = 1 + "Q: What?\nA:".length() + 3 + 1;
        SequenceResult ok = new SequenceBuilder(new ByteTokenizer(), custom, fits, TruncationSide.RIGHT).build(e);
        assertThat(((SequenceResult.Built) ok).example().inputIds()).hasSize(fits);
        SequenceResult tooLong = new SequenceBuilder(new ByteTokenizer(), custom, fits - 1, TruncationSide.RIGHT).build(e);
        assertThat(((SequenceResult.Dropped) tooLong).rejection().reason()).isEqualTo(RejectReason.PROMPT_TOO_LONG);
    }
    @Test
    void generationPromptIsCutExactlyAsTheTrainingPrompt() {
        Example e = squad("Paris is the capital and largest city of France, on the Seine.", "What is the capital of France?", "Paris");
        for (TruncationSide side : TruncationSide.values()) {
            SequenceBuilder b = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, 190, side);
            TokenizedExample train = ((SequenceResult.Built) b.build(e)).example();
            assertThat(train.truncatedTokens()).isPositive();
            PromptResult.Fits gen = (PromptResult.Fits) b.promptIds(e, train.promptLength());
            assertThat(gen.ids()).containsExactly(java.util.Arrays.copyOf(train.inputIds(), train.promptLength()));
            assertThat(gen.truncatedTokens()).isEqualTo(train.truncatedTokens());
            assertThat(bytes(gen.ids(), 1, gen.ids().length)).contains("Question: What is the capital of France?");
        }
        SequenceBuilder b = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, 190, TruncationSide.RIGHT);
        PromptResult.Fits whole = (PromptResult.Fits) b.promptIds(e, 10_000);
        assertThat(whole.ids()).containsExactly(b.promptIds(e));
        assertThat(whole.truncatedTokens()).isZero();
        PromptResult tiny = b.promptIds(e, 20); // the template text alone is longer
        assertThat(((PromptResult.Dropped) tiny).rejection().reason()).isEqualTo(RejectReason.PROMPT_TOO_LONG);
    }
}
