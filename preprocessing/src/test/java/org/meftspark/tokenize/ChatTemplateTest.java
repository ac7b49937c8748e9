package org.meftspark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.data.RejectReason;
import org.meftspark.data.SourceLocation;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.testing.SharedFiles;

/**
 * Chat templates (issue 19 item 4): the Llama 3 template of ../shared, and the Mistral-7B-Instruct
 * v0.1 template put into a copy of the Mistral tokenizer's config (the copy in ../shared has none).
 */
class ChatTemplateTest {
    /** mistralai/Mistral-7B-Instruct-v0.1 tokenizer_config.json chat_template. */
    static final String MISTRAL_TEMPLATE = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') "
            + "!= (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/"
            + "assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}"
            + "{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    @TempDir
    static Path tmp;
    private static HfTokenizer llama3;
    private static HfTokenizer mistral;

    @BeforeAll
    static void load() throws Exception {
        llama3 = HfTokenizer.load(SharedFiles.require("tokenizers/llama3"));
        mistral = HfTokenizer.load(withTemplate(SharedFiles.require("tokenizers/mistral"), "mistral", MISTRAL_TEMPLATE));
    }

    @AfterAll
    static void close() {
        if (llama3 != null) {
            llama3.close();
        }
        if (mistral != null) {
            mistral.close();
        }
    }

    /** A copy of a tokenizer folder whose tokenizer_config.json carries {@code template}. */
    static Path withTemplate(Path from, String name, String template) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(from.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(from.resolve("tokenizer_config.json").toFile());
        cfg.put("chat_template", template);
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), cfg);
        return dir;
    }

    private static Example nq(String question, String answer) {
        return new Example("nq_open:1", Dataset.NQ_OPEN, "train", Map.of("question", question), answer, List.of(answer),
                new SourceLocation("t.jsonl", 1, 0));
    }

    /** A SQuAD question whose answer is the first occurrence of {@code answer} in the context. */
    private static Example squad(String context, String question, String answer) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("context", context);
        f.put("question", question);
        return new Example("squad:1", Dataset.SQUAD, "train", f, answer, List.of(answer), new SourceLocation("t.json", 0, 0),
                false, context.indexOf(answer), List.of());
    }

    @Test
    void llama3TemplateSplitsIntoThePromptWithItsGenerationPromptAndTheAssistantTurn() {
        ChatTemplate t = llama3.chatTemplate().orElseThrow();
        assertThat(t.endOfTurn()).isEqualTo("<|eot_id|>");
        ChatTemplate.Turn turn = t.split("  who wrote hamlet ", "William Shakespeare");
        assertThat(turn.prompt()).isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
                + "who wrote hamlet<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        // the template's trailing assistant header (it always ends with one) is not part of the answer
        assertThat(turn.answer()).isEqualTo("William Shakespeare<|eot_id|>");
        assertThat(llama3.endIds()).containsExactly(128001, 128009); // <|end_of_text|>, <|eot_id|>
    }

    @Test
    void mistralStyleTemplateSplitsToo() {
        ChatTemplate t = mistral.chatTemplate().orElseThrow();
        assertThat(t.endOfTurn()).isEqualTo("</s>");
        ChatTemplate.Turn turn = t.split("who wrote hamlet", "William Shakespeare");
        assertThat(turn.prompt()).isEqualTo("<s>[INST] who wrote hamlet [/INST]");
        assertThat(turn.answer()).isEqualTo("William Shakespeare</s>");
        assertThat(mistral.endIds()).containsExactly(2);
    }

    @Test
    void theLossCoversTheAssistantTurnAndEvaluationPromptsEndWithTheGenerationPrompt() {
        for (HfTokenizer tok : List.of(llama3, mistral)) {
            SequenceBuilder b = new SequenceBuilder(tok, PromptTemplates.builtIn(), 256, TruncationSide.LEFT, true);
            Example e = nq("who wrote hamlet", "William Shakespeare");
            TokenizedExample row = ((SequenceResult.Built) b.build(e)).example();
            int[] ids = row.inputIds();
            int[] target = Arrays.copyOfRange(ids, row.promptLength(), ids.length);
            String endOfTurn = tok.chatTemplate().orElseThrow().endOfTurn();
            // BOS and the end of the turn come from the template's text, each once
            int bos = tok == llama3 ? 128000 : 1;
            assertThat(ids[0]).isEqualTo(bos);
            assertThat(Arrays.stream(ids).filter(x -> x == bos).count()).isEqualTo(1);
            assertThat(ids[ids.length - 1]).isEqualTo(tok.encode(endOfTurn).ids()[0]);
            assertThat(tok.decode(target)).isEqualTo("William Shakespeare");
            String prompt = tok.decode(Arrays.copyOf(ids, row.promptLength()));
            assertThat(prompt).contains("who wrote hamlet").doesNotContain("Shakespeare");
            // the evaluation prompt is the training prompt: it ends with the generation prompt
            int[] gen = ((PromptResult.Fits) b.promptIds(e, 200)).ids();
            assertThat(gen).containsExactly(Arrays.copyOf(ids, row.promptLength()));
            assertThat(b.promptIds(e)).containsExactly(gen);
            if (tok == llama3) {
                assertThat(llama3.encode("<|start_header_id|>assistant<|end_header_id|>\n\n").ids())
                        .containsExactly(Arrays.copyOfRange(gen, gen.length - 4, gen.length));
            }
        }
    }

    @Test
    void truncationCutsTheContextInsideTheChatToTheAnswerWindowAndKeepsTheTurnWhole() {
        SequenceBuilder b = new SequenceBuilder(llama3, PromptTemplates.builtIn(), 64, TruncationSide.LEFT, true);
        String filler = "The quick brown fox jumps over the lazy dog near the river bank. ";
        String context = filler.repeat(10) + "Paris is the capital. " + filler.repeat(10);
        TokenizedExample row = ((SequenceResult.Built) b.build(squad(context, "What is the capital?", "Paris"))).example();
        assertThat(row.inputIds()).hasSize(64);
        assertThat(row.truncatedTokens()).isPositive();
        // the window kept from the middle of the context holds the answer; the template's text is all there
        String prompt = llama3.decode(Arrays.copyOf(row.inputIds(), row.promptLength()));
        assertThat(prompt).contains("Paris").contains("What is the capital?").endsWith("assistant\n\n");
        assertThat(llama3.decode(Arrays.copyOfRange(row.inputIds(), row.promptLength(), 64))).isEqualTo("Paris");
        assertThat(row.inputIds()[0]).isEqualTo(128000);
        assertThat(row.inputIds()[63]).isEqualTo(128009);
    }

    @Test
    void aChatFollowsItsDatasetsNeverCutPolicy() {
        SequenceBuilder b = new SequenceBuilder(llama3, PromptTemplates.builtIn(), 64, TruncationSide.LEFT, true);
        Example longQuestion = nq("who wrote " + "the very long play about a prince of denmark ".repeat(10), "Shakespeare");
        SequenceResult r = b.build(longQuestion);
        assertThat(r).isInstanceOf(SequenceResult.Dropped.class);
        SequenceResult.Dropped d = (SequenceResult.Dropped) r;
        assertThat(d.rejection().reason()).isEqualTo(RejectReason.PROMPT_TOO_LONG);
        assertThat(d.rejection().id()).isEqualTo("nq_open:1");
        // the whole chat, template text included, is what max_length would have to be
        SequenceResult whole = new SequenceBuilder(llama3, PromptTemplates.builtIn(), 1000, TruncationSide.LEFT, true)
                .build(longQuestion);
        assertThat(d.fullLength()).isGreaterThan(64).isEqualTo(whole.fullLength());
        assertThat(d.rejection().message()).contains("never cut").contains("at least " + d.fullLength());
        assertThat(b.promptIds(longQuestion, 64)).isInstanceOf(PromptResult.Dropped.class);
        // an assistant turn longer than max_length is a target reject
        Example longAnswer = nq("who wrote hamlet", "William Shakespeare ".repeat(40));
        assertThat(((SequenceResult.Dropped) b.build(longAnswer)).rejection().reason())
                .isEqualTo(RejectReason.TARGET_TOO_LONG);
    }

    @Test
    void aTemplateThatRefusesIsARejectAndAMissingTemplateIsNamed() throws Exception {
        try (HfTokenizer refusing = HfTokenizer.load(withTemplate(SharedFiles.require("tokenizers/mistral"), "refusing",
                "{% for m in messages %}{% if 'forbidden' in m['content'] %}{{ raise_exception('no answers here') }}"
                        + "{% endif %}{{ m['content'] }}</s>{% endfor %}"))) {
            SequenceBuilder b = new SequenceBuilder(refusing, PromptTemplates.builtIn(), 64, TruncationSide.LEFT, true);
            assertThat(b.build(nq("q", "a"))).isInstanceOf(SequenceResult.Built.class);
            SequenceResult r = b.build(nq("q", "forbidden"));
            assertThat(r).isInstanceOf(SequenceResult.Dropped.class);
            assertThat(((SequenceResult.Dropped) r).rejection().reason()).isEqualTo(RejectReason.CHAT_TEMPLATE_REFUSED);
            assertThat(((SequenceResult.Dropped) r).rejection().message()).contains("raise_exception('no answers here')");
        }
        try (HfTokenizer plain = HfTokenizer.load(SharedFiles.require("tokenizers/mistral"))) {
            assertThat(plain.chatTemplate()).isEmpty();
            assertThatThrownBy(() -> new SequenceBuilder(plain, PromptTemplates.builtIn(), 64, TruncationSide.LEFT, true))
                    .hasMessageContaining("data.chat_template is 'model'").hasMessageContaining("no chat_template");
        }
    }
}
