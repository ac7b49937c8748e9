package org.meftspark.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edges issue 18 found in published files: SQuAD v2.0, GSM8K answer formats, truncated and doubled documents. */
class PublishedEdgeCasesTest {

    private static List<ReadResult> read(Dataset d, DatasetReaders.Format f, String text) {
        try (ReadResults r = DatasetReaders.open(d, f, "dev", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                "dev-v1.1.json", ReaderOptions.DEFAULTS)) {
            return r.stream().toList();
        }
    }

    /** A v2.0 file (named v1.1, as in the issue), written on one line as the published files are. */
    private static final String V2 = "{\"version\": \"v2.0\", \"data\": [{\"title\": \"T\", \"paragraphs\": ["
            + "{\"context\": \"  Normandy is a region in France.\", \"qas\": ["
            + "{\"question\": \"Where is Normandy?\", \"id\": \"a1\", \"answers\": [{\"text\": \"France\", \"answer_start\": 26}], \"is_impossible\": false},"
            + "{\"plausible_answers\": [{\"text\": \"region\", \"answer_start\": 14}], \"question\": \"Where is Paris?\", \"id\": \"u1\", \"answers\": [], \"is_impossible\": true},"
            + "{\"question\": \"\", \"id\": \"bad1\", \"answers\": [], \"is_impossible\": false}]}]}]}";

    @Test
    void squadV2KeepsUnanswerableQuestionsAndNamesEveryReject() {
        List<ReadResult> r = read(Dataset.SQUAD, DatasetReaders.Format.JSON, V2);
        assertThat(r).hasSize(3);
        Example answerable = (Example) r.get(0);
        assertThat(answerable.noAnswer()).isFalse();
        // answer_start counts the two leading spaces the context loses when stripped.
        assertThat(answerable.fields().get("context").substring(answerable.answerStart())).startsWith("France");
        Example impossible = (Example) r.get(1);
        assertThat(impossible.noAnswer()).isTrue();
        assertThat(impossible.id()).isEqualTo("squad:u1");
        assertThat(impossible.target()).isEmpty();
        assertThat(impossible.references()).isEmpty();
        Rejection bad = (Rejection) r.get(2);
        assertThat(bad.id()).isEqualTo("squad:bad1");
        assertThat(bad.source().line()).isEqualTo(1);
        assertThat(bad.source().path()).isEqualTo("data[0].paragraphs[0].qas[2]");
        assertThat(bad.source().toString()).isEqualTo("dev-v1.1.json:1 (data[0].paragraphs[0].qas[2])");
    }

    @Test
    void emptyDataAndTrailingDocumentsAreRejected() {
        assertThat(read(Dataset.SQUAD, DatasetReaders.Format.JSON, "{\"data\": []}")).singleElement()
                .satisfies(x -> assertThat(((Rejection) x).reason()).isEqualTo(RejectReason.EMPTY_INPUT));
        String doubled = "{\"data\": [{\"paragraphs\": [{\"context\": \"c\", \"qas\": [{\"id\": \"q\", \"question\": "
                + "\"q?\", \"answers\": [{\"text\": \"c\", \"answer_start\": 0}]}]}]}]}\n{\"data\": []}";
        List<ReadResult> r = read(Dataset.SQUAD, DatasetReaders.Format.JSON, doubled);
        assertThat(r).hasSize(2);
        assertThat(r.get(0)).isInstanceOf(Example.class);
        assertThat(((Rejection) r.get(1)).reason()).isEqualTo(RejectReason.TRAILING_DATA);
        assertThat(((Rejection) r.get(1)).source().line()).isEqualTo(2);
    }

    @Test
    void truncatedToolBenchFileIsDescribedWithoutLibraryInternals() {
        String truncated = "[{\"query\": \"q\", \"query_id\": 3, \"api_list\": [{\"tool_name\": \"T\", \"api_name\": \"A\"}], "
                + "\"relevant APIs\": [[\"T\", \"A\"]]}, {\"query\": \"cut he";
        List<ReadResult> r = read(Dataset.TOOLBENCH, DatasetReaders.Format.JSON, truncated);
        assertThat(r.get(0)).isInstanceOf(Example.class);
        Rejection end = (Rejection) r.get(1);
        assertThat(end.reason()).isEqualTo(RejectReason.MALFORMED_JSON);
        assertThat(end.message()).contains("truncated").doesNotContain("StreamReadFeature").doesNotContain("Source:")
                .doesNotContain("com.fasterxml").doesNotContain("START_").doesNotContain("END_");
        List<ReadResult> bad = read(Dataset.NQ_OPEN, DatasetReaders.Format.JSONL, "{\"question\": \"q\", \"answer\": [\"a\"]\n");
        assertThat(((Rejection) bad.get(0)).message()).doesNotContain("StreamReadFeature").doesNotContain("Source:");
    }

    @Test
    void gsm8kReferencesAreTheOfficialExtractionAndMustBeNumbers() {
        String[][] cases = {
                {"So 3 + 2 = 5.\\n#### 5", "5"},
                {"#### 1,000", "1000"},
                {"#### -7", "-7"},
                {"#### 0.5", "0.5"},
                {"#### 12\\n#### 7777", "12"},
        };
        for (String[] c : cases) {
            ReadResult r = read(Dataset.GSM8K, DatasetReaders.Format.JSONL,
                    "{\"question\": \"How many?\", \"answer\": \"" + c[0] + "\"}\n").get(0);
            assertThat(((Example) r).references()).as(c[0]).containsExactly(c[1]);
        }
        for (String bad : List.of("#### $5", "####5", "#### 5 apples", "The answer is 5", "#### five")) {
            ReadResult r = read(Dataset.GSM8K, DatasetReaders.Format.JSONL,
                    "{\"question\": \"How many?\", \"answer\": \"" + bad + "\"}\n").get(0);
            Rejection rej = (Rejection) r;
            assertThat(rej.reason()).as(bad).isEqualTo(RejectReason.BAD_ANSWER_FORMAT);
            // The id is the content id the example would have had, so the user can find it.
            assertThat(rej.id()).startsWith("gsm8k:").hasSize("gsm8k:".length() + 16);
        }
    }
}
