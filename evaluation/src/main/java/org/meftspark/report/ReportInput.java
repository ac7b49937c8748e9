package org.meftspark.report;

import java.util.List;
import org.meftspark.metrics.EvaluationSummary;

/**
 * What a report shows.
 *
 * @param title             page title
 * @param runs              one summary per method (its {@code run.method()} labels bars and columns)
 * @param lossCurves        training loss curves; may be empty
 * @param wrongPredictions  wrong answers to show, already sampled by the caller (e.g. a seeded sample
 *                          in the job); shown in the given order
 * @param perDataset        most wrong answers shown per method and dataset
 */
public record ReportInput(String title, List<EvaluationSummary> runs, List<LossCurve> lossCurves,
                          List<ReportExample> wrongPredictions, int perDataset) {
    /** Copies. */
    public ReportInput {
        runs = List.copyOf(runs);
        lossCurves = List.copyOf(lossCurves);
        wrongPredictions = List.copyOf(wrongPredictions);
        if (perDataset < 0) {
            throw new IllegalArgumentException("perDataset must be >= 0");
        }
    }
}
