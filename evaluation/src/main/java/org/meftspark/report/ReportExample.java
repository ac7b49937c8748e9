package org.meftspark.report;

import java.util.List;
import org.meftspark.evaluation.Prediction;
import org.meftspark.metrics.Metric;
import org.meftspark.metrics.RowScore;

/**
 * One scored prediction shown in the report's list of wrong answers.
 *
 * @param method     which run produced it
 * @param dataset    dataset key
 * @param id         example id
 * @param prompt     the prompt text
 * @param prediction the answer
 * @param references gold references
 * @param metric     the headline metric's key
 * @param score      its value for this row
 */
public record ReportExample(String method, String dataset, String id, String prompt, String prediction,
                           List<String> references, String metric, double score) implements java.io.Serializable {
    /** Copies the references. */
    public ReportExample {
        references = List.copyOf(references);
    }

    /** A generated prediction with its scores; the row must have been scored. */
    public static ReportExample of(String method, Prediction p, RowScore s) {
        Metric m = Metric.primary(p.dataset());
        return new ReportExample(method, p.dataset().key(), p.id(), p.prompt(), p.prediction(), p.references(), m.key(),
                s.get(m).orElseThrow(() -> new IllegalArgumentException(p.id() + " was not scored")));
    }
}
