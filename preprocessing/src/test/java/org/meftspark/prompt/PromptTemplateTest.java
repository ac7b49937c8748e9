package org.meftspark.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.hash.Sha256;
import org.meftspark.testing.SharedFiles;

class PromptTemplateTest {
    @TempDir
    Path dir;

    @Test
    void substitutesVerbatimAndRecordsFieldSpans() {
        PromptTemplate t = PromptTemplate.parse(Dataset.SQUAD, "{{json}} P: {context}\nQ: {question}\nA:\n", "inline");
        RenderedPrompt r = t.render(Map.of("context", "ctx with {question} inside", "question", "why?"));
        assertThat(r.text()).isEqualTo("{json} P: ctx with {question} inside\nQ: why?\nA:");
        int[] ctx = r.fields().get("context");
        assertThat(r.text().substring(ctx[0], ctx[1])).isEqualTo("ctx with {question} inside");
        int[] q = r.fields().get("question");
        assertThat(r.text().substring(q[0], q[1])).isEqualTo("why?");
        assertThat(t.sha256()).isEqualTo(Sha256.hex("{{json}} P: {context}\nQ: {question}\nA:\n"));
    }

    /**
     * Issue 9, item 7: no expression language. Template-engine syntax in a template is literal text (after the
     * {@code {{}/{@code }}} escapes) or an unknown placeholder; in a dataset field (untrusted) it is inserted
     * as is and never expanded, so a question cannot pull in another field or run anything.
     */
    @Test
    void expressionSyntaxRendersLiterallyAndFieldsAreNeverExpanded() {
        PromptTemplate t = PromptTemplate.parse(Dataset.NQ_OPEN, "{{7*7}} ${question} #{{1+1}} <%= 7*7 %>", "t.txt");
        String hostile = "${jndi:ldap://x/a} {{7*7}} {question} #{7*7} ${T(java.lang.Runtime).getRuntime()} <%= 7*7 %>";
        assertThat(t.render(Map.of("question", hostile)).text()).isEqualTo("{7*7} $" + hostile + " #{1+1} <%= 7*7 %>");
        for (String expression : List.of("{7*7}", "${7*7}", "{T(java.lang.Runtime).getRuntime().exec('x')}", "{question!r}",
                "{question:>10}", "{question[0]}")) {
            assertThatThrownBy(() -> PromptTemplate.parse(Dataset.NQ_OPEN, expression, "t.txt")).as(expression)
                    .hasMessageContaining("t.txt").hasMessageContaining("unknown placeholder");
        }
    }

    @Test
    void refusesUnknownRepeatedAndUnbalancedPlaceholders() {
        assertThatThrownBy(() -> PromptTemplate.parse(Dataset.NQ_OPEN, "Q: {context}", "t.txt"))
                .hasMessageContaining("t.txt").hasMessageContaining("unknown placeholder {context}");
        assertThatThrownBy(() -> PromptTemplate.parse(Dataset.NQ_OPEN, "{question} {question}", "t.txt"))
                .hasMessageContaining("used twice");
        assertThatThrownBy(() -> PromptTemplate.parse(Dataset.NQ_OPEN, "Q: {question", "t.txt"))
                .hasMessageContaining("unclosed");
        assertThatThrownBy(() -> PromptTemplate.parse(Dataset.NQ_OPEN, "Q: } {question}", "t.txt"))
                .hasMessageContaining("unmatched");
        assertThatThrownBy(() -> PromptTemplate.parse(Dataset.NQ_OPEN, "{question.getClass()}", "t.txt"))
                .hasMessageContaining("unknown placeholder");
        PromptTemplate t = PromptTemplate.parse(Dataset.SQUAD, "{question}", "t.txt");
        assertThatThrownBy(() -> t.render(Map.of())).hasMessageContaining("{question}");
    }

    @Test
    void builtInsComeFromConfTemplatesAndADirectoryOverridesFileByFile() throws Exception {
        PromptTemplates builtIn = PromptTemplates.builtIn();
        for (Dataset d : Dataset.values()) {
            Path conf = SharedFiles.projectRoot().resolve("conf/templates/" + d.key() + ".txt");
            assertThat(builtIn.get(d).sha256()).as("packaged copy of %s", conf).isEqualTo(Sha256.hex(conf));
        }
        assertThat(builtIn.get(Dataset.TOOLBENCH).render(Map.of("query", "q", "candidates", "- T, A")).text())
                .contains("tool_name, api_name").endsWith("Relevant APIs:");
        assertThat(builtIn.get(Dataset.GSM8K).render(Map.of("question", "q")).text()).contains("#### N");

        Files.writeString(dir.resolve("nq_open.txt"), "Q: {question}\nA:");
        PromptTemplates custom = PromptTemplates.load(dir);
        assertThat(custom.get(Dataset.NQ_OPEN).source()).isEqualTo(dir.resolve("nq_open.txt").toString());
        assertThat(custom.get(Dataset.SQUAD).sha256()).isEqualTo(builtIn.get(Dataset.SQUAD).sha256());
        assertThat(custom.combinedHash()).isNotEqualTo(builtIn.combinedHash());

        Files.write(dir.resolve("gsm8k.txt"), new byte[] {'{', (byte) 0xFF, '}'});
        assertThatThrownBy(() -> PromptTemplates.load(dir)).hasMessageContaining("gsm8k.txt").hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> PromptTemplates.load(dir.resolve("missing"))).hasMessageContaining("missing");
    }
}
