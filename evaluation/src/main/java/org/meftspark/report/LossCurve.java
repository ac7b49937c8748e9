package org.meftspark.report;

import java.nio.file.Path;
import org.meftspark.train.StepMetrics;

/**
 * A training loss curve from the trainer's JSON-lines metrics file: the {@code loss} series of
 * {@link TrainingMetrics} (lines without a numeric {@code step} and a finite {@code loss} are left out).
 *
 * @param method       label in the chart legend
 * @param steps        optimizer steps, shape [n], in file order
 * @param losses       loss at each step, shape [n], finite
 * @param skippedLines lines that were not such an object or had a non-finite loss (counted, not fatal)
 */
public record LossCurve(String method, long[] steps, double[] losses, int skippedLines) {

    /** Checks the arrays agree. */
    public LossCurve {
        if (steps.length != losses.length) {
            throw new IllegalArgumentException("steps and losses differ in length");
        }
    }

    /** Reads a metrics file; a line that is not JSON or lacks a finite step/loss is skipped and counted. */
    public static LossCurve read(String method, Path jsonl) {
        TrainingMetrics m = TrainingMetrics.read(jsonl);
        Series loss = m.series(StepMetrics.LOSS).orElse(Series.empty(StepMetrics.LOSS));
        return new LossCurve(method, loss.steps(), loss.values(), m.lines() - loss.size());
    }
}
