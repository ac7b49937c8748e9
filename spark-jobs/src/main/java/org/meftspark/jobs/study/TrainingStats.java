package org.meftspark.jobs.study;

import java.nio.file.Path;
import org.meftspark.train.StepMetrics;

/**
 * What the study reads back from a variant's training {@code metrics.jsonl}: steps, target
 * tokens, the ledger's peak device bytes, the host store's bytes and the median step time.
 *
 * @param steps             logged steps
 * @param targetTokens      sum of target tokens over the steps
 * @param ledgerPeakBytes   largest {@code device_bytes_peak_total}
 * @param hostBytes         last {@code host_bytes} (0 when absent: not MEFT)
 * @param stepSecondsMedian median {@code step_s} after the first step (it carries one-off warm-up)
 * @param finalLoss         mean loss over the last tenth of the steps (one step's loss is noisy)
 */
record TrainingStats(long steps, long targetTokens, long ledgerPeakBytes, long hostBytes, double stepSecondsMedian,
                     double finalLoss) {

    static final TrainingStats NONE = new TrainingStats(0, 0, 0, 0, Double.NaN, Double.NaN);

    static TrainingStats read(Path metrics) {
        StepMetrics.Log log = StepMetrics.read(metrics);
        if (log.skippedLines() > 0) {
            throw new IllegalStateException(metrics + ": " + log.skippedLines() + " of " + log.lines() + " lines are not "
                    + "whole metrics lines; the trainer writes every line whole, so the file was changed by hand or is "
                    + "damaged: train the variant again");
        }
        return new TrainingStats(log.steps().size(), log.targetTokens(), log.peakDeviceBytes(), log.hostBytes(),
                log.medianStepSeconds(), log.finalLoss());
    }
}
