package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.meftspark.data.Dataset;

/** GSM8K's official accuracy (the authors' extract_answer and is_correct) against the lenient reading. */
class Gsm8kAccuracyTest {

    private static double[] score(String prediction, String gold) {
        RowScore s = TaskScorer.score(Dataset.GSM8K, prediction, List.of(gold));
        return new double[] {s.get(Metric.ACCURACY).getAsDouble(), s.get(Metric.ACCURACY_LENIENT).getAsDouble()};
    }

    @Test
    void everyAnswerFormatOfTheIssue() {
        // {prediction, gold, official, lenient}: the cases issue 18 found to disagree, and the plain ones.
        Object[][] cases = {
                {"so 20 in all\n#### 20", "20", 1, 1},
                {"#### 1,000", "1000", 1, 1},
                {"#### -3", "-3", 1, 1},
                {"#### 20.0", "20", 0, 1},
                {"#### $15", "15", 0, 1},
                {"####109", "109", 0, 1},
                {"12", "12", 0, 1},
                {"The answer is 3.", "3", 0, 1},
                {"She has 4 + 3 = 7 apples.", "7", 0, 1},
                {"#### 12\n#### 7777", "12", 1, 0},
                {"#### 12\n#### 7777", "7777", 0, 1},
                {"#### 5 apples", "5", 1, 1},
                {"no number at all", "5", 0, 0},
        };
        for (Object[] c : cases) {
            double[] v = score((String) c[0], (String) c[1]);
            assertThat(v).as("%s vs %s", c[0], c[1]).containsExactly(((Integer) c[2]).doubleValue(),
                    ((Integer) c[3]).doubleValue());
        }
    }

    @Test
    void officialExtractionIsTheAuthorsRegex() {
        assertThat(FinalNumber.official("x #### 1,234.5\n")).hasValue("1234.5");
        assertThat(FinalNumber.official("#### $5")).isEmpty();
        assertThat(FinalNumber.official("####5")).isEmpty();
        assertThat(FinalNumber.official("a #### 3 b #### 4")).hasValue("3");
    }
}
