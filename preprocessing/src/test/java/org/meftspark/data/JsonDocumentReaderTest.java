package org.meftspark.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonDocumentReaderTest {

    static List<ReadResult> read(Dataset d, String json, ReaderOptions options) {
        return read(d, json.getBytes(StandardCharsets.UTF_8), options);
    }

    static List<ReadResult> read(Dataset d, byte[] json, ReaderOptions options) {
        try (ReadResults r = DatasetReaders.open(d, DatasetReaders.Format.JSON, "dev",
                new ByteArrayInputStream(json), "fixture.json", options)) {
            return r.stream().toList();
        }
    }

    private static final String SQUAD = """
            {"version": "1.1", "data": [
              {"title": "T1", "paragraphs": [
                {"context": "Paris is the capital of France.",
                 "qas": [
                   {"id": "q1", "question": "What is the capital of France?",
                    "answers": [{"text": "Paris", "answer_start": 0}, {"text": "Paris", "answer_start": 0}],
                    "evidences": ["Paris is the capital."]},
                   {"id": "q2", "question": "", "answers": [{"text": "x", "answer_start": 0}]},
                   {"id": "q3", "question": "Which country?", "answers": "France"}
                 ]},
                {"qas": [{"id": "q4", "question": "Context after questions?", "answers": [{"text": "yes", "answer_start": 0}]}],
                 "context": "yes it comes later", "extra": {"nested": [1, 2]}}
              ], "unknown": 7},
              {"title": "T2", "paragraphs": [
                {"context": "Berlin.", "qas": [{"id": "q5", "question": "Capital of Germany?", "answers": [{"text": "Berlin", "answer_start": 0}]}]}
              ]}
            ]}
            """;

    @Test
    void squadGivesOneExamplePerQuestionAndIgnoresUnknownFields() {
        List<ReadResult> results = read(Dataset.SQUAD, SQUAD, ReaderOptions.DEFAULTS);
        assertThat(results).hasSize(5);
        assertThat(results).filteredOn(r -> r instanceof Example).extracting(r -> ((Example) r).id())
                .containsExactly("squad:q1", "squad:q4", "squad:q5");
        Example q1 = (Example) results.get(0);
        assertThat(q1.fields()).containsEntry("context", "Paris is the capital of France.")
                .containsEntry("question", "What is the capital of France?");
        assertThat(q1.references()).containsExactly("Paris", "Paris");
        assertThat(q1.target()).isEqualTo("Paris");
        // The question's own line and JSON path (issue 18), not its paragraph's line.
        assertThat(q1.source().line()).isEqualTo(5);
        assertThat(q1.source().path()).isEqualTo("data[0].paragraphs[0].qas[0]");
        assertThat(q1.answerStart()).isZero();
        assertThat(((Example) results.get(3)).fields()).containsEntry("context", "yes it comes later");
        assertThat(results).filteredOn(r -> r instanceof Rejection).extracting(r -> ((Rejection) r).reason())
                .containsExactly(RejectReason.EMPTY_FIELD, RejectReason.WRONG_TYPE);
    }

    @Test
    void truncatedSquadKeepsEverythingBeforeTheBreakAndSaysWhere() {
        String cut = SQUAD.substring(0, SQUAD.indexOf("\"T2\""));
        List<ReadResult> results = read(Dataset.SQUAD, cut, ReaderOptions.DEFAULTS);
        assertThat(results).filteredOn(r -> r instanceof Example).hasSize(2);
        Rejection last = (Rejection) results.get(results.size() - 1);
        assertThat(last.reason()).isEqualTo(RejectReason.MALFORMED_JSON);
        assertThat(last.source().line()).isEqualTo(14);
        assertThat(last.message()).contains("rest of the document");
    }

    @Test
    void squadStructureErrorsAreRejections() {
        assertThat(read(Dataset.SQUAD, "[1]", ReaderOptions.DEFAULTS)).singleElement()
                .satisfies(r -> assertThat(((Rejection) r).reason()).isEqualTo(RejectReason.WRONG_TYPE));
        assertThat(read(Dataset.SQUAD, "{\"version\": 1}", ReaderOptions.DEFAULTS)).singleElement()
                .satisfies(r -> assertThat(((Rejection) r).reason()).isEqualTo(RejectReason.MISSING_FIELD));
        assertThat(read(Dataset.SQUAD, "  \n", ReaderOptions.DEFAULTS)).singleElement()
                .satisfies(r -> assertThat(((Rejection) r).reason()).isEqualTo(RejectReason.EMPTY_INPUT));
    }

    @Test
    void oversizedStringStopsTheDocumentWithoutBufferingIt() {
        String big = "x".repeat(5000);
        String doc = "{\"data\": [{\"paragraphs\": [{\"context\": \"c\", \"qas\": [{\"id\": \"a\", \"question\": \"q?\", "
                + "\"answers\": [{\"text\": \"t\"}]}]}, {\"context\": \"" + big + "\", \"qas\": []}]}]}";
        List<ReadResult> results = read(Dataset.SQUAD, doc, new ReaderOptions(1 << 20, 1000));
        assertThat(results).hasSize(2);
        assertThat(results.get(0)).isInstanceOf(Example.class);
        assertThat(((Rejection) results.get(1)).reason()).isEqualTo(RejectReason.FIELD_TOO_LONG);
    }

    @Test
    void invalidUtf8InADocumentIsNamedAsSuch() {
        byte[] doc = "[{\"query\": \"caf\u00e9 X\"}]".getBytes(StandardCharsets.UTF_8);
        int at = new String(doc, StandardCharsets.ISO_8859_1).indexOf('X');
        doc[at] = (byte) 0xFF;
        List<ReadResult> results = read(Dataset.TOOLBENCH, doc, ReaderOptions.DEFAULTS);
        assertThat(results).singleElement().satisfies(r -> assertThat(((Rejection) r).reason()).isEqualTo(RejectReason.INVALID_UTF8));
    }

    @Test
    void toolBenchMapsCandidatesTargetAndReferences() {
        String json = """
                [
                 {"query": "Check SQUAKE health.", "query_id": 1,
                  "api_list": [{"category_name": "Logistics", "tool_name": "SQUAKE", "api_name": "Checkhealth", "api_description": " "},
                               {"tool_name": "SQUAKE", "api_name": "Projects", "api_description": "List\\nprojects", "template_response": {"a": "b"}}],
                  "relevant APIs": [["SQUAKE", "Checkhealth"], ["SQUAKE", "Projects"]]},
                 {"query": "no pairs", "api_list": [{"tool_name": "T", "api_name": "A"}], "relevant APIs": [["T"]]},
                 7,
                 {"query": "Second file reuses id 1", "query_id": 1, "api_list": [{"tool_name": "T", "api_name": "A"}], "relevant_apis": [["T", "A"]]}
                ]
                """;
        List<ReadResult> results = read(Dataset.TOOLBENCH, json, ReaderOptions.DEFAULTS);
        assertThat(results).hasSize(4);
        Example e = (Example) results.get(0);
        assertThat(e.fields().get("candidates")).isEqualTo("- SQUAKE, Checkhealth\n- SQUAKE, Projects: List projects");
        assertThat(e.target()).isEqualTo("SQUAKE, Checkhealth\nSQUAKE, Projects");
        assertThat(e.references()).containsExactly("SQUAKE, Checkhealth", "SQUAKE, Projects");
        assertThat(e.id()).startsWith("toolbench:1-");
        assertThat(e.source()).isEqualTo(new SourceLocation("fixture.json", 2, 0, "[0]"));
        assertThat(e.candidates()).containsExactly("SQUAKE\tCheckhealth", "SQUAKE\tProjects");
        assertThat(((Rejection) results.get(1)).reason()).isEqualTo(RejectReason.WRONG_TYPE);
        assertThat(((Rejection) results.get(2)).reason()).isEqualTo(RejectReason.WRONG_TYPE);
        Example last = (Example) results.get(3);
        assertThat(last.id()).startsWith("toolbench:1-").isNotEqualTo(e.id());
    }

    @Test
    void emptyToolBenchArrayIsCounted() {
        assertThat(read(Dataset.TOOLBENCH, "[]", ReaderOptions.DEFAULTS)).singleElement()
                .satisfies(r -> assertThat(((Rejection) r).reason()).isEqualTo(RejectReason.EMPTY_INPUT));
    }
}
