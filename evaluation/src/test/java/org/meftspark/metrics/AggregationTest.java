package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;

class AggregationTest {
    private static final RunInfo RUN = new RunInfo("meft", "tiny", null, "greedy", 1000, 7, "2025-01-01T00:00:00Z", Map.of());

    private static RowScore em(double v) {
        return new RowScore(Dataset.NQ_OPEN, Map.of(Metric.EM, v, Metric.F1, v, Metric.CONTAINS, v), List.of());
    }

    @Test
    void bootstrapIntervalMatchesTheNormalApproximationForAProportion() {
        double[] x = new double[400];
        for (int i = 0; i < 200; i++) {
            x[i] = 1;
        }
        ConfidenceInterval ci = Bootstrap.meanInterval(x, 2000, 0.95, 1);
        double half = 1.96 * Math.sqrt(0.25 / 400); // 0.049
        assertThat(ci.low()).isCloseTo(0.5 - half, within(0.01));
        assertThat(ci.high()).isCloseTo(0.5 + half, within(0.01));
        assertThat(Bootstrap.meanInterval(new double[] {0.3, 0.3, 0.3}, 100, 0.95, 1)).isEqualTo(new ConfidenceInterval(0.3, 0.3));
        assertThat(Bootstrap.percentile(new double[] {0, 10}, 0.25)).isEqualTo(2.5); // numpy linear
    }

    @Test
    void summaryIsSeededAndIndependentOfPartitionOrder() {
        MetricAggregator a = new MetricAggregator();
        MetricAggregator b = new MetricAggregator();
        for (int i = 0; i < 50; i++) {
            a.add(em(i % 3 == 0 ? 1 : 0));
            b.add(em(i % 5 == 0 ? 1 : 0.5));
        }
        b.add(TaskScorer.score(Dataset.NQ_OPEN, "x", List.of())); // unscored row: counted, no values
        b.add(TaskScorer.score(Dataset.GSM8K, "#### 3", List.of("3")));

        EvaluationSummary ab = new MetricAggregator().merge(a).merge(b).summarize(RUN);
        EvaluationSummary ba = new MetricAggregator().merge(b).merge(a).summarize(RUN);
        assertThat(ab).isEqualTo(ba);

        MetricSummary nqEm = ab.result("nq_open", "em").orElseThrow();
        assertThat(nqEm.n()).isEqualTo(100);
        assertThat(nqEm.mean()).isCloseTo((17 + 10 + 40 * 0.5) / 100.0, within(1e-12));
        assertThat(nqEm.ci95().low()).isLessThan(nqEm.mean());
        assertThat(nqEm.ci95().high()).isGreaterThan(nqEm.mean());
        assertThat(ab.datasets().get("nq_open")).isEqualTo(new DatasetCounts(101, 100, Map.of("NO_REFERENCES", 1L)));
        assertThat(ab.result("gsm8k", "accuracy").orElseThrow().mean()).isEqualTo(1.0);
        assertThat(ab.results()).extracting(MetricSummary::metric).containsExactly("em", "f1", "contains", "accuracy", "accuracy_lenient");

        RunInfo otherSeed = new RunInfo("meft", "tiny", null, "greedy", 1000, 8, RUN.createdAt(), Map.of());
        assertThat(new MetricAggregator().merge(a).merge(b).summarize(otherSeed).result("nq_open", "em").orElseThrow().ci95())
                .isNotEqualTo(nqEm.ci95());
        RunInfo noBootstrap = new RunInfo("meft", "tiny", null, "greedy", 0, 7, RUN.createdAt(), Map.of());
        assertThat(new MetricAggregator().merge(a).summarize(noBootstrap).result("nq_open", "em").orElseThrow().ci95()).isNull();
    }

    @Test
    void aggregatorSurvivesJavaSerialisationAsSparkShipsIt() throws Exception {
        MetricAggregator a = new MetricAggregator();
        a.add(em(1)).add(em(0)).add(TaskScorer.score(Dataset.TOOLBENCH, "junk", List.of("a, b")));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(a);
        }
        MetricAggregator back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (MetricAggregator) in.readObject();
        }
        assertThat(back.summarize(RUN)).isEqualTo(a.summarize(RUN));
        assertThat(back.warnings().get(Dataset.TOOLBENCH).get(ScoreWarning.NO_TOOL_PAIRS)).isEqualTo(1);
    }

    @Test
    void metricsJsonRoundTripsAtomicallyAndRefusesOtherFormats(@TempDir Path dir) throws Exception {
        MetricAggregator a = new MetricAggregator();
        for (int i = 0; i < 20; i++) {
            a.add(em(i % 2));
        }
        EvaluationSummary s = a.summarize(RUN);
        Path file = dir.resolve("out/metrics.json");
        MetricsJson.write(file, s);
        assertThat(MetricsJson.read(file)).isEqualTo(s);
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing).containsExactly(file); // no temporary file left behind
        }
        String text = Files.readString(file);
        assertThat(text).contains("\"format\" : \"meft-spark-metrics/1\"", "\"ci95\"", "\"mean\" : 0.5");

        Files.writeString(file, text.replace("meft-spark-metrics/1", "other/9"));
        assertThatThrownBy(() -> MetricsJson.read(file)).hasMessageContaining("other/9");
    }
}
