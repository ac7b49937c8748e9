package org.meftspark.metrics;

/**
 * The aggregate of one metric on one dataset.
 *
 * @param dataset dataset key ({@code nq_open}, ...)
 * @param metric  metric key ({@code em}, ...)
 * @param n       rows that had a value
 * @param mean    mean over those rows, in [0, 1]
 * @param ci95    percentile-bootstrap 95% interval of the mean; null when bootstrapping was disabled
 */
public record MetricSummary(String dataset, String metric, long n, double mean, ConfidenceInterval ci95) {
}
