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

    /** An answerable question whose answer position is where the answer first occurs (-1 when it does not). */
    static Example squad(String context, String question, String answer) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("context", context);
        f.put("question", question);
        return new Example("squad:x", Dataset.SQUAD, "train", f, answer, List.of(answer), new SourceLocation("f.json", 3, 0),
                false, context.indexOf(answer), List.of());
    }

    /** An unanswerable (v2.0) question. */
    static Example unanswerable(String context, String question) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("context", context);
        f.put("question", question);
        return new Example("squad:n", Dataset.SQUAD, "train", f, "", List.of(), new SourceLocation("f.json", 3, 0),
                true, -1, List.of());
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
    void unanswerableSquadContextIsCutFromTheConfiguredSide() {
        // Issue 18 changed the policy: only a question without an answer position is cut by side (before, every
        // SQuAD question was, and at 512 tokens 283 of 610 cut contexts lost every gold answer).
        Example e = unanswerable("AAAAABBBBB", "Q?");
        int full = 1 + prompt(e).length() + 1 + 1;
        for (TruncationSide side : TruncationSide.values()) {
            SequenceResult r = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, full - 5, side).build(e);
            TokenizedExample t = ((SequenceResult.Built) r).example();
            assertThat(t.inputIds()).hasSize(full - 5);
            assertThat(t.truncatedTokens()).isEqualTo(5);
            assertThat(t.noAnswer()).isTrue();
            assertThat(t.references()).isEmpty();
            String kept = bytes(t.inputIds(), 1, t.promptLength());
            assertThat(kept).isEqualTo(prompt(e).replace("AAAAABBBBB", side == TruncationSide.RIGHT ? "AAAAA" : "BBBBB"));
            // The explicit empty answer: the space before the target, then EOS.
            assertThat(bytes(t.inputIds(), t.promptLength(), t.inputIds().length - 1)).isEqualTo(" ");
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
        // Generation does not know the answer, so it cuts by side: the same cut as training's for a question
        // without an answer position.
        Example e = unanswerable("Paris is the capital and largest city of France, on the Seine.", "What is the capital of France?");
        for (TruncationSide side : TruncationSide.values()) {
            SequenceBuilder b = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, 185, side);
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

    @Test
    void longSquadContextKeepsTheStrideWindowThatHoldsTheFirstAnswer() {
        // 26 blocks of 10 letters; the answer is the last block, at the passage's very end.
        StringBuilder c = new StringBuilder();
        for (char x = 'a'; x <= 'z'; x++) {
            c.append(String.valueOf(x).repeat(9)).append(' ');
        }
        String context = c.toString().strip();
        Example e = squad(context, "Q?", "zzzzzzzzz");
        int full = 1 + prompt(e).length() + 10 + 1;
        for (TruncationSide side : TruncationSide.values()) {
            SequenceBuilder b = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, full - 200, side, 20);
            TokenizedExample t = ((SequenceResult.Built) b.build(e)).example();
            String kept = bytes(t.inputIds(), 1, t.promptLength());
            int width = context.length() - 200;
            // Windows start at 0, 39, 78, ... (width 59, stride 20); the last one ends at the passage's end.
            assertThat(kept).as(side.name()).contains(context.substring(context.length() - width))
                    .doesNotContain(context.substring(0, context.length() - width));
            assertThat(t.truncatedTokens()).isEqualTo(200);
            assertThat(bytes(t.inputIds(), t.promptLength(), t.inputIds().length - 1)).isEqualTo(" zzzzzzzzz");
        }
        // An answer in the middle: the first window (in stride steps) that holds it whole.
        Example mid = squad(context, "Q?", "kkkkkkkkk");
        SequenceBuilder b = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, full - 200, TruncationSide.RIGHT, 20);
        String kept = bytes(((SequenceResult.Built) b.build(mid)).example().inputIds(), 1,
                ((SequenceResult.Built) b.build(mid)).example().promptLength());
        int answerAt = context.indexOf("kkkkkkkkk"); // 100
        int step = 59 - 20;
        int start = 0;
        while (!(start <= answerAt && answerAt + 9 <= start + 59)) {
            start += step;
        }
        assertThat(kept).contains(context.substring(start, start + 59)).doesNotContain(context.substring(0, start));
    }

    @Test
    void squadAnswerNoWindowHoldsIsRejectedAsAnswerOutsideWindow() {
        String context = "x".repeat(100) + " the answer is this long phrase";
        Example e = squad(context, "Q?", "the answer is this long phrase");
        int full = 1 + prompt(e).length() + 1 + e.target().length() + 1;
        // Room for 20 context tokens: the 30-character answer can never be whole in a window.
        SequenceResult r = new SequenceBuilder(new ByteTokenizer(), TEMPLATES, full - context.length() + 20,
                TruncationSide.RIGHT).build(e);
        SequenceResult.Dropped d = (SequenceResult.Dropped) r;
        assertThat(d.rejection().reason()).isEqualTo(RejectReason.ANSWER_OUTSIDE_WINDOW);
        assertThat(d.rejection().message()).contains("no window of 20 context tokens").contains("raise data.max_length");
        assertThat(d.rejection().id()).isEqualTo("squad:x");
        assertThat(d.fullLength()).isEqualTo(full);
        // An answer position that is unknown (the answer is not in the context) cannot place a window either.
        Example absent = new Example("squad:y", Dataset.SQUAD, "train", e.fields(), "elsewhere", List.of("elsewhere"),
                e.source(), false, -1, List.of());
        assertThat(((SequenceResult.Dropped) new SequenceBuilder(new ByteTokenizer(), TEMPLATES, 200,
                TruncationSide.RIGHT).build(absent)).rejection().message()).contains("does not occur in the context");
    }

    static Example gsm8k(String question, String answer) {
        return new Example("gsm8k:q", Dataset.GSM8K, "test", Map.of("question", question), answer, List.of("1"),
                new SourceLocation("g.jsonl", 7, 6));
    }

    @Test
    void gsm8kQuestionsAndTargetsAreNeverCutAndTheRejectNamesTheLongerPart() {
        String question = "How many apples does Ann have if she buys " + "very ".repeat(20) + "many?";
        Example longQuestion = gsm8k(question, "#### 1");
        int full = 1 + prompt(longQuestion).length() + " #### 1".length() + 1;
        SequenceResult.Dropped d = (SequenceResult.Dropped) new SequenceBuilder(new ByteTokenizer(), TEMPLATES,
                full - 7, TruncationSide.LEFT).build(longQuestion);
        assertThat(d.rejection().reason()).isEqualTo(RejectReason.PROMPT_TOO_LONG);
        assertThat(d.rejection().message()).contains("the sequence is " + full + " tokens")
                .contains("7 over max_length " + (full - 7)).contains("the prompt is the longer part")
                .contains("never cut").contains("at least " + full);
        assertThat(d.fullLength()).isEqualTo(full);

        // The case: a 453-token target with a 345-token prompt is named as the target's fault.
        String solution = "She buys them. ".repeat(40) + "#### 1";
        Example longTarget = gsm8k("How many?", solution);
        int all = 1 + prompt(longTarget).length() + 1 + solution.length() + 1;
        SequenceResult.Dropped t = (SequenceResult.Dropped) new SequenceBuilder(new ByteTokenizer(), TEMPLATES,
                all - 1, TruncationSide.LEFT).build(longTarget);
        assertThat(t.rejection().reason()).isEqualTo(RejectReason.TARGET_TOO_LONG);
        assertThat(t.rejection().message()).contains("the target is the longer part").contains("1 over max_length");

        // Nor is a generation prompt cut.
        assertThat(new SequenceBuilder(new ByteTokenizer(), TEMPLATES, 1000, TruncationSide.LEFT)
                .promptIds(longQuestion, 50)).isInstanceOf(PromptResult.Dropped.class);
    }
}
