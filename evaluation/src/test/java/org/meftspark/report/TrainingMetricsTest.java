package org.meftspark.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingMetricsTest {

    /** Lines shaped like the trainer's, with a NaN step, a torn last line and other damage. */
    private static final String FILE = """
            {"step":1,"epoch":0,"loss":5.5,"lr":3.0E-4,"skipped":false,"active_set_size":[971.0,1024.0],"device_bytes_peak":{"activations":0,"optimizer_state":262144}}
            {"step":2,"epoch":0,"loss":"NaN","lr":6.0E-4,"skipped":true,"active_set_size":[926.0,1000.0],"device_bytes_peak":{"activations":5,"optimizer_state":262144}}

            not json
            {"epoch":0,"loss":1.0}
            [1,2]
            {"step":3,"epoch":0,"loss":5.25,"lr":9.0E-4,"skipped":false,"active_set_size":[945.0],"device_bytes_peak":{"activations":7,"optimizer_state":262144},"note":"x"}
            {"step":4,"epoch":0,"lo
            """;

    private static TrainingMetrics read(Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, FILE);
        return TrainingMetrics.read(f);
    }

    @Test
    void everyNumericFieldIsAQuantityInFileOrderAndStepIsTheAxis(@TempDir Path dir) throws Exception {
        TrainingMetrics m = read(dir);
        // "skipped" (boolean) and "note" (text) have no numeric point, so they are no quantity.
        assertThat(m.quantities()).containsExactly("epoch", "loss", "lr", "active_set_size", "device_bytes_peak");
        assertThat(m.quantity("lr")).singleElement().satisfies(s -> {
            assertThat(s.steps()).containsExactly(1, 2, 3);
            assertThat(s.values()).containsExactly(3.0E-4, 6.0E-4, 9.0E-4);
        });
        assertThat(m.quantity("step")).isEmpty();
    }

    @Test
    void arraysAndObjectsBecomeOneSeriesPerElementOrKey(@TempDir Path dir) throws Exception {
        TrainingMetrics m = read(dir);
        assertThat(m.quantity("active_set_size")).extracting(Series::name)
                .containsExactly("active_set_size[0]", "active_set_size[1]");
        // Layer 1 is missing from step 3's array: that series simply has no point there.
        assertThat(m.series("active_set_size[1]").orElseThrow().steps()).containsExactly(1, 2);
        assertThat(m.quantity("device_bytes_peak")).extracting(Series::name)
                .containsExactly("device_bytes_peak.activations", "device_bytes_peak.optimizer_state");
        assertThat(m.series("device_bytes_peak.activations").orElseThrow().values()).containsExactly(0, 5, 7);
        assertThat(m.series("device_bytes_peak.optimizer_state").orElseThrow().isConstant()).isTrue();
        assertThat(m.series("device_bytes_peak.activations").orElseThrow().isConstant()).isFalse();
    }

    @Test
    void aNaNValueLeavesAGapAndBadLinesAreCounted(@TempDir Path dir) throws Exception {
        TrainingMetrics m = read(dir);
        Series loss = m.series("loss").orElseThrow();
        assertThat(loss.steps()).containsExactly(1, 3);
        assertThat(loss.values()).containsExactly(5.5, 5.25);
        // 7 non-blank lines: no JSON, no step, an array, a torn last line.
        assertThat(m.lines()).isEqualTo(7);
        assertThat(m.skippedLines()).isEqualTo(4);
        assertThat(m.series("nope")).isEmpty();
    }

    @Test
    void lossCurveIsTheLossSeries(@TempDir Path dir) throws Exception {
        read(dir);
        LossCurve c = LossCurve.read("meft", dir.resolve("metrics.jsonl"));
        assertThat(c.steps()).containsExactly(1, 3);
        assertThat(c.losses()).containsExactly(5.5, 5.25);
        // Every line that did not give a loss point: the four bad ones and the NaN step.
        assertThat(c.skippedLines()).isEqualTo(5);
    }

    @Test
    void aMissingFileIsAnErrorNamingIt(@TempDir Path dir) {
        Path f = dir.resolve("absent.jsonl");
        assertThatThrownBy(() -> TrainingMetrics.read(f)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void seriesChecksItsArrays() {
        assertThatThrownBy(() -> new Series("x", new long[2], new double[1])).isInstanceOf(IllegalArgumentException.class);
        assertThat(Series.empty("x").isConstant()).isTrue();
        assertThat(new Series("a", new long[] {1}, new double[] {2}).renamed("b").name()).isEqualTo("b");
        assertThat(List.of(Series.empty("x").size())).containsExactly(0);
    }
}
