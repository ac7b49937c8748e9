package org.meftspark.jobs.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.report.Series;

class StudyResultsTest {

    private static StudyRow row(int facts, String variant, boolean fits, double seenEm) {
        return new StudyRow(facts, variant, variant, List.of("adapter.method=" + variant), fits, "", 100, 90, 90, 0, 0.0,
                List.of(0.0, 0.1), 10, 0.2, seenEm, 0.5, 10, 1.5, 20, 500, 0.1, 7, 0.01, true, Double.NaN, Double.NaN,
                Double.NaN);
    }

    @Test
    void rowsRoundTripAndGroupByMethodLeavingOutWhatDidNotRunOrWasNotMeasured(@TempDir Path dir) throws Exception {
        List<StudyRow> rows = List.of(row(1000, "lora", true, 0.1), row(1000, "full", false, Double.NaN),
                row(4000, "lora", true, 0.05), row(4000, "meft", true, Double.NaN), row(1000, "meft", true, 0.3));
        Path file = Files.writeString(dir.resolve("results.jsonl"), lines(new ObjectMapper(), rows));
        List<StudyRow> back = StudyResults.read(file);
        assertThat(back).hasSize(5);
        assertThat(back.get(1).seenEm()).isNaN();
        assertThat(back.get(0)).isEqualTo(rows.get(0));

        List<Series> seen = StudyResults.byMethod(back, StudyRow::facts, StudyRow::seenEm);
        assertThat(seen).extracting(Series::name).containsExactly("lora", "meft");
        assertThat(seen.get(0).steps()).containsExactly(1000, 4000);
        assertThat(seen.get(0).values()).containsExactly(0.1, 0.05);
        assertThat(seen.get(1).steps()).containsExactly(1000);
    }

    private static StudyRow trained(String method, int facts, long budget, double rate, double validationEm) {
        return new StudyRow(facts, method + "-lr" + rate, method, List.of("adapter.method=" + method), true, "", budget,
                budget, budget, 0, validationEm / 2, List.of(0.0, 0.1), 10, 0.2, 0.5, 0.5, 10, 1.5, 20, 500, 0.1, 7, rate,
                true, validationEm, Double.NaN, Double.NaN);
    }

    @Test
    void theBestValidationRowIsKeptPerMethodFactsAndBudgetAcrossParts(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        StudyRow zeroShot = new StudyRow(1000, "zero_shot", "none", List.of(), true, "", 16, 0, 0, 0, 0.01,
                List.of(0.0, 0.02), 10, 0.01, Double.NaN, Double.NaN, 0, Double.NaN, 0, 500, Double.NaN, 7, 0.01, true,
                0.02, Double.NaN, Double.NaN);
        StudyRow notFit = new StudyRow(1000, "full", "full", List.of(), false, "", 16, 30, 0, 0, Double.NaN, List.of(),
                0, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, 0, 0, Double.NaN, 7, 0.01, true, Double.NaN,
                Double.NaN, Double.NaN);
        List<StudyRow> first = List.of(zeroShot, trained("lora", 1000, 16, 0.01, 0.10), trained("lora", 1000, 16, 0.03, 0.05),
                notFit, trained("meft", 1000, 16, 0.01, 0.20));
        List<StudyRow> second = List.of(trained("lora", 1000, 16, 0.003, 0.30), trained("meft", 1000, 16, 0.003, 0.20),
                trained("meft", 1000, 32, 0.01, 0.40), trained("lora", 4000, 16, 0.01, Double.NaN));
        Path a = Files.writeString(dir.resolve("a.jsonl"), lines(json, first));
        Path b = Files.writeString(dir.resolve("b.jsonl"), lines(json, second));

        List<StudyRow> best = StudyResults.bestOnValidation(StudyResults.read(List.of(a, b)));

        assertThat(best).extracting(StudyRow::method, StudyRow::facts, StudyRow::budgetBytes, StudyRow::learningRate)
                .containsExactly(Tuple.tuple("none", 1000, 16L, 0.01),
                        Tuple.tuple("lora", 1000, 16L, 0.003),   // the later part's better rate
                        Tuple.tuple("full", 1000, 16L, 0.01),    // did not fit: kept for the table
                        Tuple.tuple("meft", 1000, 16L, 0.01),    // a tie keeps the earlier row
                        Tuple.tuple("meft", 1000, 32L, 0.01),    // another budget, its own row
                        Tuple.tuple("lora", 4000, 16L, 0.01));   // no validation, alone: kept
        List<Series> heldOut = StudyResults.byMethod(best, StudyRow::budgetBytes, StudyRow::heldOutEm);
        assertThat(heldOut).extracting(Series::name).containsExactly("zero_shot", "lora", "meft");
        assertThat(heldOut.get(2).steps()).containsExactly(16, 32);
    }

    private static String lines(ObjectMapper json, List<StudyRow> rows) throws Exception {
        StringBuilder b = new StringBuilder();
        for (StudyRow r : rows) {
            b.append(json.writeValueAsString(r)).append('\n');
        }
        return b.toString();
    }

    @Test
    void aDamagedLineIsNamed(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("results.jsonl"), "{\"facts\": 1}\n{not json\n");
        assertThatThrownBy(() -> StudyResults.read(file)).hasMessageContaining("line 2");
    }
}
