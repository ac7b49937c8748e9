package org.meftspark.jobs.results;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.meftspark.metrics.Metric;
import org.meftspark.metrics.MetricAggregator;
import org.meftspark.report.ReportExample;
import org.meftspark.report.WrongAnswerSample;

/**
 * What the driver needs from all results, built per partition and merged ({@code treeAggregate}):
 * the metric aggregate, the seeded sample of wrong answers for the report, and counts of the
 * job-level warnings (rows not generated, unknown datasets, ...) by name.
 */
public final class ResultAggregate implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String method;
    private final MetricAggregator metrics = new MetricAggregator();
    private final WrongAnswerSample wrong;
    private final TreeMap<String, Long> jobWarnings = new TreeMap<>();
    private long rows;

    /**
     * @param method     the run's method label (shown with each sampled answer)
     * @param seed       seeds the sample of wrong answers
     * @param perDataset wrong answers kept per dataset
     */
    public ResultAggregate(String method, long seed, int perDataset) {
        this.method = method;
        this.wrong = new WrongAnswerSample(seed, perDataset);
    }

    /** Adds one result. */
    public ResultAggregate add(EvalRow r) {
        rows++;
        for (String w : r.warnings()) {
            int colon = w.indexOf(':');
            if (colon > 0) {
                // "NAME: detail" is a job-level warning; scorer warnings are counted by MetricAggregator.
                jobWarnings.merge(w.substring(0, colon), 1L, Long::sum);
            }
        }
        if (r.score() == null) {
            return this;
        }
        metrics.add(r.score());
        if (r.score().wrong()) {
            Metric m = Metric.primary(r.score().dataset());
            wrong.add(new ReportExample(method, r.dataset(), r.id(), r.prompt() == null ? "" : r.prompt(),
                    r.prediction() == null ? "" : r.prediction(), r.references(), m.key(),
                    r.score().get(m).getAsDouble()));
        }
        return this;
    }

    /** Adds another partition's aggregate. */
    public ResultAggregate merge(ResultAggregate o) {
        rows += o.rows;
        metrics.merge(o.metrics);
        wrong.merge(o.wrong);
        o.jobWarnings.forEach((k, v) -> jobWarnings.merge(k, v, Long::sum));
        return this;
    }

    public MetricAggregator metrics() {
        return metrics;
    }

    public WrongAnswerSample wrong() {
        return wrong;
    }

    /** Job-level warnings by name (e.g. {@code not_generated}). */
    public Map<String, Long> jobWarnings() {
        return java.util.Collections.unmodifiableMap(jobWarnings);
    }

    /** Rows added. */
    public long rows() {
        return rows;
    }
}
