package org.meftspark.jobs.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        ObjectMapper json = new ObjectMapper();
        StringBuilder b = new StringBuilder();
        for (StudyRow r : rows) {
            b.append(json.writeValueAsString(r)).append('\n');
        }
        Path file = Files.writeString(dir.resolve("results.jsonl"), b.toString());
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

    @Test
    void aDamagedLineIsNamed(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("results.jsonl"), "{\"facts\": 1}\n{not json\n");
        assertThatThrownBy(() -> StudyResults.read(file)).hasMessageContaining("line 2");
    }
}
