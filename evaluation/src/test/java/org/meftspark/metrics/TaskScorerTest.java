package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meftspark.data.Dataset;

class TaskScorerTest {
    @Test
    void everyDatasetReportsItsMetrics() {
        RowScore nq = TaskScorer.score(Dataset.NQ_OPEN, "December 1972", List.of("14 December 1972 UTC", "December 1972"));
        assertThat(nq.values()).containsOnlyKeys(Metric.EM, Metric.F1, Metric.CONTAINS).containsEntry(Metric.EM, 1.0);
        assertThat(nq.warnings()).isEmpty();
        assertThat(nq.wrong()).isFalse();

        RowScore squad = TaskScorer.score(Dataset.SQUAD, "the Denver Broncos won", List.of("Denver Broncos"));
        assertThat(squad.get(Metric.EM)).hasValue(0.0);
        assertThat(squad.get(Metric.F1)).hasValue(0.8);
        assertThat(squad.get(Metric.CONTAINS)).hasValue(1.0);
        assertThat(squad.wrong()).isTrue();

        RowScore tools = TaskScorer.score(Dataset.TOOLBENCH, "1. SQUAKE, Checkhealth\nnonsense", List.of("SQUAKE, Checkhealth", "SQUAKE, Projects"));
        assertThat(tools.get(Metric.IOU)).hasValue(0.5);
        assertThat(tools.get(Metric.PRECISION)).hasValue(1.0);
        assertThat(tools.get(Metric.RECALL)).hasValue(0.5);
        assertThat(tools.warnings()).containsExactly(ScoreWarning.UNPARSABLE_TOOL_LINE);

        // "#### 5.0" is not the official "5" (issue 18: accuracy is the GSM8K authors' string match); the
        // numeric reading that used to be "accuracy" is accuracy_lenient.
        RowScore math = TaskScorer.score(Dataset.GSM8K, "2 + 3 = 5\n#### 5.0", List.of("5"));
        assertThat(math.values()).containsExactly(java.util.Map.entry(Metric.ACCURACY, 0.0),
                java.util.Map.entry(Metric.ACCURACY_LENIENT, 1.0));
    }

    @Test
    void badInputGivesDefinedResultsAndWarningsNeverAnException() {
        RowScore nullPrediction = TaskScorer.score(Dataset.SQUAD, null, List.of("x"));
        assertThat(nullPrediction.get(Metric.EM)).hasValue(0.0);
        assertThat(nullPrediction.warnings()).containsExactly(ScoreWarning.NULL_PREDICTION);

        RowScore empty = TaskScorer.score(Dataset.TOOLBENCH, "  ", List.of("a, b"));
        assertThat(empty.get(Metric.IOU)).hasValue(0.0);
        assertThat(empty.get(Metric.PRECISION)).hasValue(0.0);
        assertThat(empty.warnings()).containsExactly(ScoreWarning.EMPTY_PREDICTION);

        for (List<String> refs : Arrays.asList(List.<String>of(), null, Arrays.asList(null, " "))) {
            for (Dataset d : Dataset.values()) {
                RowScore r = TaskScorer.score(d, "something", refs);
                assertThat(r.scored()).as("%s %s", d, refs).isFalse();
                assertThat(r.wrong()).isFalse();
                assertThat(r.warnings()).contains(ScoreWarning.NO_REFERENCES);
            }
        }

        RowScore badGold = TaskScorer.score(Dataset.GSM8K, "#### 5", List.of("five"));
        assertThat(badGold.scored()).isFalse();
        assertThat(badGold.warnings()).containsExactly(ScoreWarning.UNPARSABLE_GOLD_NUMBER);

        RowScore badPair = TaskScorer.score(Dataset.TOOLBENCH, "a, b", List.of("no pair here"));
        assertThat(badPair.scored()).isFalse();
        assertThat(badPair.warnings()).containsExactly(ScoreWarning.UNPARSABLE_GOLD_PAIR, ScoreWarning.NO_REFERENCES);

        RowScore noNumber = TaskScorer.score(Dataset.GSM8K, "I do not know", List.of("5"));
        assertThat(noNumber.get(Metric.ACCURACY)).hasValue(0.0);
        assertThat(noNumber.warnings()).containsExactly(ScoreWarning.NO_NUMBER_IN_PREDICTION);

        RowScore garbled = TaskScorer.score(Dataset.NQ_OPEN, "Par\uFFFDs", List.of("Paris", "the"));
        assertThat(garbled.get(Metric.EM)).hasValue(0.0);
        assertThat(garbled.warnings()).containsExactly(ScoreWarning.REPLACEMENT_CHARACTER, ScoreWarning.GOLD_NORMALIZES_TO_EMPTY);

        RowScore noPairs = TaskScorer.score(Dataset.TOOLBENCH, "I would call the weather API", List.of("a, b"));
        assertThat(noPairs.get(Metric.IOU)).hasValue(0.0);
        assertThat(noPairs.warnings()).containsExactly(ScoreWarning.UNPARSABLE_TOOL_LINE, ScoreWarning.NO_TOOL_PAIRS);
    }
}
