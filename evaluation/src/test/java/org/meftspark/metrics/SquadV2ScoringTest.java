package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.meftspark.data.Dataset;

/**
 * The scoring rules of the official SQuAD v2.0 script ({@code evaluate-v2.0.py}) on a fixture whose expected numbers
 * are worked out by hand below (the script reports percentages; these are fractions).
 */
class SquadV2ScoringTest {
    private static final RunInfo RUN = new RunInfo("x", "fixture", null, "greedy", 0, 1, "2025-01-01T00:00:00Z", Map.of());

    private static RowScore answerable(String prediction, String... golds) {
        return TaskScorer.score(Dataset.SQUAD, prediction, new Golds(List.of(golds), false, List.of()));
    }

    private static RowScore unanswerable(String prediction) {
        return TaskScorer.score(Dataset.SQUAD, prediction, new Golds(List.of(), true, List.of()));
    }

    @Test
    void officialV2RulesAndBreakdownsByHand() {
        List<RowScore> rows = List.of(
                // 1. "the Denver Broncos" normalises to "denver broncos", a gold: exact 1, f1 1.
                answerable("the Denver Broncos", "Denver Broncos", "Broncos"),
                // 2. tokens {santa, clara} against {santa, clara, california}: P = 1, R = 2/3, F1 = 0.8.
                answerable("Santa Clara", "Santa Clara, California"),
                // 3. no answer to an answerable question: 0, 0.
                answerable("", "gold"),
                // 4. no answer to an unanswerable one: gold [''], exact 1; f1: both token lists empty -> 1.
                unanswerable(""),
                // 5. "the" normalises to nothing: counts as no answer, 1 and 1.
                unanswerable("the"),
                // 6. an answer to an unanswerable question: 0, 0.
                unanswerable("Broncos"));
        double[][] perRow = {{1, 1}, {0, 0.8}, {0, 0}, {1, 1}, {1, 1}, {0, 0}};
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).get(Metric.EM)).as("row %d em", i + 1).hasValue(perRow[i][0]);
            assertThat(rows.get(i).get(Metric.F1).getAsDouble()).as("row %d f1", i + 1).isCloseTo(perRow[i][1], within(1e-12));
        }
        assertThat(rows.get(3).values()).containsOnlyKeys(Metric.EM, Metric.F1, Metric.NO_ANS_EM, Metric.NO_ANS_F1);
        assertThat(rows.get(0).values()).containsKeys(Metric.HAS_ANS_EM, Metric.HAS_ANS_F1).doesNotContainKey(Metric.NO_ANS_EM);

        MetricAggregator agg = new MetricAggregator();
        rows.forEach(agg::add);
        EvaluationSummary s = agg.summarize(RUN);
        // exact = (1+0+0+1+1+0)/6 = 0.5; f1 = (1+0.8+0+1+1+0)/6 = 3.8/6
        assertThat(s.result("squad", "em").orElseThrow().mean()).isCloseTo(0.5, within(1e-12));
        assertThat(s.result("squad", "f1").orElseThrow().mean()).isCloseTo(3.8 / 6, within(1e-12));
        // HasAns_exact = 1/3, HasAns_f1 = 1.8/3 = 0.6, HasAns_total = 3
        assertThat(s.result("squad", "HasAns_em").orElseThrow().mean()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(s.result("squad", "HasAns_f1").orElseThrow().mean()).isCloseTo(0.6, within(1e-12));
        assertThat(s.result("squad", "HasAns_em").orElseThrow().n()).isEqualTo(3);
        // NoAns_exact = NoAns_f1 = 2/3, NoAns_total = 3
        assertThat(s.result("squad", "NoAns_em").orElseThrow().mean()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.result("squad", "NoAns_f1").orElseThrow().mean()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.result("squad", "NoAns_em").orElseThrow().n()).isEqualTo(3);
        // contains has no meaning for an empty gold: over the answerable questions only.
        assertThat(s.result("squad", "contains").orElseThrow().n()).isEqualTo(3);
    }

    @Test
    void v11DataReportsNoBreakdown() {
        MetricAggregator agg = new MetricAggregator().add(answerable("Paris", "Paris")).add(answerable("x", "Paris"));
        EvaluationSummary s = agg.summarize(RUN);
        assertThat(s.results()).extracting(MetricSummary::metric).containsExactly("em", "f1", "contains");
    }
}
