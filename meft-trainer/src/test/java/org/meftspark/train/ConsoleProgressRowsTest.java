package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rows line of evaluation and preprocessing (issue 16 item 6), in the form of training's step line. */
class ConsoleProgressRowsTest {

    @Test
    void rowsLineHasDoneTotalRateAndTheStepLinesEta() {
        // 1,200 rows in 60 s: 20 rows/s, 3,800 left -> 190 s.
        assertThat(ConsoleProgress.rowsLine(1200, 5000, 60.0)).isEqualTo("rows 1200/5000 rows/s 20 eta 3m10s");
        assertThat(ConsoleProgress.rowsLine(5000, 5000, 250.0)).isEqualTo("rows 5000/5000 rows/s 20 eta 0m00s");
        assertThat(ConsoleProgress.rowsLine(10, 100_000, 1.0)).isEqualTo("rows 10/100000 rows/s 10 eta 2h46m");
        // A recomputed task can count rows twice: never a negative ETA.
        assertThat(ConsoleProgress.rowsLine(120, 100, 12.0)).endsWith("eta 0m00s");
    }

    @Test
    void beforeTheFirstRowAndWithoutATotalNothingIsMadeUp() {
        assertThat(ConsoleProgress.rowsLine(0, 5000, 3.0)).isEqualTo("rows 0/5000 rows/s 0 eta ?");
        assertThat(ConsoleProgress.rowsLine(12000, -1, 4.0)).isEqualTo("rows 12000 rows/s 3000");
        assertThat(ConsoleProgress.rowsLine(0, -1, 0.0)).isEqualTo("rows 0 rows/s 0");
    }

    @Test
    void theBarFillsInProportionAndNeverOverflows() {
        assertThat(ConsoleProgress.bar(1, 2, "x")).isEqualTo("\r[" + "#".repeat(15) + " ".repeat(15) + "] x   ");
        assertThat(ConsoleProgress.bar(0, 0, "x")).startsWith("\r[" + " ".repeat(30) + "]");
        assertThat(ConsoleProgress.bar(7, 5, "x")).startsWith("\r[" + "#".repeat(30) + "]");
    }
}
