package org.meftspark.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.meftspark.data.Dataset;

/**
 * Collects {@link RowScore}s into means with bootstrap 95% intervals per dataset and metric.
 * Serializable and mergeable, so a Spark job can aggregate per partition and combine
 * ({@code treeAggregate}); keeps every value (8 bytes a row and metric) because the bootstrap needs
 * them. Not thread-safe.
 */
public final class MetricAggregator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EnumMap<Dataset, EnumMap<Metric, Values>> values = new EnumMap<>(Dataset.class);
    private final EnumMap<Dataset, long[]> rows = new EnumMap<>(Dataset.class); // {rows, scored}
    private final EnumMap<Dataset, WarningCounts> warnings = new EnumMap<>(Dataset.class);

    /** Adds one row's scores ({@link RowScore} guarantees finite values in [0, 1]). */
    public MetricAggregator add(RowScore s) {
        long[] c = rows.computeIfAbsent(s.dataset(), d -> new long[2]);
        c[0]++;
        if (s.scored()) {
            c[1]++;
        }
        WarningCounts w = warnings.computeIfAbsent(s.dataset(), d -> new WarningCounts());
        s.warnings().forEach(w::add);
        EnumMap<Metric, Values> m = values.computeIfAbsent(s.dataset(), d -> new EnumMap<>(Metric.class));
        s.values().forEach((metric, v) -> m.computeIfAbsent(metric, k -> new Values()).add(v));
        return this;
    }

    /** Adds everything {@code other} collected (partition combine). */
    public MetricAggregator merge(MetricAggregator other) {
        other.rows.forEach((d, c) -> {
            long[] mine = rows.computeIfAbsent(d, k -> new long[2]);
            mine[0] += c[0];
            mine[1] += c[1];
        });
        other.warnings.forEach((d, w) -> warnings.computeIfAbsent(d, k -> new WarningCounts()).merge(w));
        other.values.forEach((d, m) -> m.forEach((metric, v) ->
                values.computeIfAbsent(d, k -> new EnumMap<>(Metric.class)).computeIfAbsent(metric, k -> new Values()).addAll(v)));
        return this;
    }

    /** Warning counts per dataset. */
    public Map<Dataset, WarningCounts> warnings() {
        return java.util.Collections.unmodifiableMap(warnings);
    }

    /**
     * Means and intervals. Each (dataset, metric) draws from its own stream derived from
     * {@code run.seed()} and its names, so adding a dataset does not change another's interval.
     *
     * @param run provenance; {@code run.bootstrapSamples()} resamples (0: no intervals)
     */
    public EvaluationSummary summarize(RunInfo run) {
        List<MetricSummary> results = new ArrayList<>();
        Map<String, DatasetCounts> counts = new LinkedHashMap<>();
        for (Dataset d : Dataset.values()) {
            if (!rows.containsKey(d)) {
                continue;
            }
            Map<String, Long> w = new LinkedHashMap<>();
            warnings.get(d).asMap().forEach((k, v) -> w.put(k.name(), v));
            counts.put(d.key(), new DatasetCounts(rows.get(d)[0], rows.get(d)[1], w));
            EnumMap<Metric, Values> byMetric = values.getOrDefault(d, new EnumMap<>(Metric.class));
            // evaluate-v2.0.py reports HasAns_ only beside NoAns_ (a v2.0 file); on v1.1 data it would repeat EM/F1.
            boolean v2 = byMetric.containsKey(Metric.NO_ANS_EM);
            for (Metric m : Metric.of(d)) {
                Values v = byMetric.get(m);
                if (v == null || v.size == 0 || (!v2 && (m == Metric.HAS_ANS_EM || m == Metric.HAS_ANS_F1))) {
                    continue;
                }
                double[] x = v.toArray();
                double mean = Arrays.stream(x).sum() / x.length;
                ConfidenceInterval ci = run.bootstrapSamples() == 0 ? null
                        : Bootstrap.meanInterval(x, run.bootstrapSamples(), 0.95, streamSeed(run.seed(), d, m));
                results.add(new MetricSummary(d.key(), m.key(), x.length, mean, ci));
            }
        }
        return new EvaluationSummary(EvaluationSummary.FORMAT, run, results, counts);
    }

    private static long streamSeed(long seed, Dataset d, Metric m) {
        // String.hashCode is specified by the JLS, so the derived seed is stable across JVMs.
        return seed * 0x9E3779B97F4A7C15L + (d.key() + "/" + m.key()).hashCode();
    }

    /** A growable double array (a boxed list would cost 4x the memory). */
    private static final class Values implements Serializable {
        private static final long serialVersionUID = 1L;
        private double[] data = new double[16];
        private int size;

        void add(double v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void addAll(Values o) {
            if (size + o.size > data.length) {
                data = Arrays.copyOf(data, Math.max(size + o.size, data.length * 2));
            }
            System.arraycopy(o.data, 0, data, size, o.size);
            size += o.size;
        }

        double[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
