package org.meftspark.metrics;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code metrics.json} holds: provenance, one {@link MetricSummary} per dataset and metric, and
 * the row and warning counts per dataset.
 *
 * @param format   {@link #FORMAT}, so readers can refuse files of another layout
 * @param run      provenance
 * @param results  per dataset (in {@link org.meftspark.data.Dataset} order) and metric (in {@link Metric#of} order)
 * @param datasets counts per dataset key
 */
public record EvaluationSummary(String format, RunInfo run, List<MetricSummary> results, Map<String, DatasetCounts> datasets) {
    /** Layout identifier written into every file. */
    public static final String FORMAT = "meft-spark-metrics/1";

    /** Copies the collections. */
    public EvaluationSummary {
        results = List.copyOf(results);
        datasets = Map.copyOf(datasets);
    }

    /** The summary of one dataset and metric, if present. */
    public Optional<MetricSummary> result(String dataset, String metric) {
        return results.stream().filter(r -> r.dataset().equals(dataset) && r.metric().equals(metric)).findFirst();
    }
}
