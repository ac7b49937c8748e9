package org.meftspark.jobs.score;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.meftspark.jobs.input.Outcome;

class PredictionRecordTest {

    private static Outcome<PredictionRecord> parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return PredictionRecord.parseJsonLine(b, b.length, "p.jsonl", 7);
    }

    @Test
    void everyKindOfLineHasADefinedResult() {
        // An id without a dataset prefix is a raw SQuAD id (issue 18): it gets the project's "squad:".
        assertThat(parse("{\"id\": \"a\", \"prediction\": \"Paris\"}").value())
                .extracting(PredictionRecord::id, PredictionRecord::prediction).containsExactly("squad:a", "Paris");
        assertThat(parse("{\"id\": \"nq_open:0123\", \"prediction\": \"Paris\"}").value().id()).isEqualTo("nq_open:0123");
        assertThat(parse("{\"id\": 12, \"prediction\": [\"t, a\", \"u, b\"]}").value())
                .extracting(PredictionRecord::id, PredictionRecord::prediction).containsExactly("squad:12", "t, a\nu, b");
        // EfficientQA / GSM8K style: no id, the question instead.
        PredictionRecord q = parse("{\"question\": \"who wrote hamlet\", \"prediction\": \"Shakespeare\"}").value();
        assertThat(q.id()).isEmpty();
        assertThat(q.question()).isEqualTo("who wrote hamlet");
        assertThat(q.source(true)).isEqualTo("p.jsonl:7");
        assertThat(parse("{\"id\": \"a\"}").value().prediction()).isNull();
        assertThat(parse("{\"id\": \"a\", \"prediction\": 42}").value().prediction()).isEqualTo("42");
        assertThat(parse("   ")).isNull();
        assertThat(parse("{broken").reject().reason()).isEqualTo("malformed_line");
        assertThat(parse("{broken").reject().source()).isEqualTo("p.jsonl:7");
        assertThat(parse("[1, 2]").reject().reason()).isEqualTo("malformed_line");
        assertThat(parse("{\"prediction\": \"x\"}").reject().message()).contains("id");
        assertThat(parse("{\"id\": \" \", \"prediction\": \"x\"}").isOk()).isFalse();

        byte[] bad = "{\"id\": \"a\", \"prediction\": \"caf\u0000\"}".getBytes(StandardCharsets.UTF_8);
        bad[bad.length - 3] = (byte) 0xC3; // a lead byte followed by '"': not UTF-8
        PredictionRecord r = PredictionRecord.parseJsonLine(bad, bad.length, "p.jsonl", 0).value();
        assertThat(r.warnings()).singleElement().asString().startsWith("non_utf8_line");
        assertThat(r.prediction()).contains("\uFFFD");
    }

    @Test
    void ofDuplicatesTheFirstReadIsKeptWhateverTheMergeOrder() {
        PredictionRecord a = new PredictionRecord("x", "first", "f1", 10, 1, java.util.List.of());
        PredictionRecord b = new PredictionRecord("x", "second", "f1", 99, 1, java.util.List.of());
        PredictionRecord c = new PredictionRecord("x", "third", "f2", 0, 1, java.util.List.of());
        assertThat(PredictionRecord.first(PredictionRecord.first(c, b), a))
                .isEqualTo(PredictionRecord.first(a, PredictionRecord.first(b, c)))
                .extracting(PredictionRecord::prediction, PredictionRecord::copies).containsExactly("first", 3);
    }
}
