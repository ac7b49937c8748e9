package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResult;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.testsupport.SharedFiles;

/**
 * On the real published files: the training target of each example (first gold answer, the
 * {@code tool, api} lines, the whole worked GSM8K solution) scored as its own prediction must get the
 * full score, which checks that the metrics parse what the readers produce; the targets shifted by
 * one example (every prediction belongs to another question) must score low.
 */
class RealGoldsTest {

    private static List<Example> read(Dataset d, String... files) {
        List<Example> out = new ArrayList<>();
        for (String f : files) {
            Path p = SharedFiles.require("datasets/" + f);
            try (ReadResults r = DatasetReaders.open(d, "test", p, ReaderOptions.DEFAULTS)) {
                while (r.hasNext()) {
                    ReadResult x = r.next();
                    assertThat(x).as("%s holds only valid records", f).isInstanceOf(Example.class);
                    out.add((Example) x);
                }
            }
        }
        return out;
    }

    private static double mean(List<Example> examples, int shift, Metric metric) {
        double sum = 0;
        int n = examples.size();
        for (int i = 0; i < n; i++) {
            Example e = examples.get(i);
            RowScore s = TaskScorer.score(e.dataset(), examples.get((i + shift) % n).target(), e.references());
            assertThat(s.scored()).isTrue();
            if (shift == 0) {
                // Real NQ-open golds such as "---", ")" and "A+" normalise to nothing: counted, not hidden.
                assertThat(s.warnings()).as(e.id()).isSubsetOf(ScoreWarning.GOLD_NORMALIZES_TO_EMPTY);
            }
            sum += s.get(metric).orElseThrow();
        }
        return sum / n;
    }

    @ParameterizedTest(name = "{0} {2}")
    @CsvSource({
            "NQ_OPEN,   nq_open/NQ-open.dev.jsonl,              em,       0.01",
            "SQUAD,     squad/squad-v1.1-dev-subset.json,      em,       0.05",
            "SQUAD,     squad/squad-v1.1-dev-subset.json,      f1,       0.10",
            "GSM8K,     gsm8k/test.jsonl,                      accuracy, 0.05",
            "TOOLBENCH, toolbench/G1_query.json;toolbench/G2_query.json, iou, 0.5",
    })
    void goldsScoreOneAndShuffledGoldsScoreLow(Dataset d, String files, String metric, double shuffledAtMost) {
        List<Example> examples = read(d, files.split(";"));
        assertThat(examples).hasSizeGreaterThan(5);
        Metric m = Metric.fromKey(metric);
        assertThat(mean(examples, 0, m)).isEqualTo(1.0);
        // SQuAD questions come in runs over one paragraph: shift past the run so answers differ.
        int shift = d == Dataset.SQUAD ? examples.size() / 2 : 1;
        assertThat(mean(examples, shift, m)).isLessThanOrEqualTo(shuffledAtMost);
    }
}
