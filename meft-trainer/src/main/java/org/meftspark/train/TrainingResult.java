package org.meftspark.train;

import java.nio.file.Path;

/**
 * What a training run ended with.
 *
 * @param stepsDone     optimizer steps completed (skipped NaN/Inf steps included)
 * @param totalSteps    steps the run was planned for
 * @param lastLoss      mean target-token loss of the last step
 * @param badSteps      steps skipped for NaN/Inf loss or gradients
 * @param checkpoint    the last checkpoint written (null when nothing was trained)
 * @param stopped       true when a listener stopped the run before totalSteps
 * @param stateSha256   SHA-256 of the trained state, the same on every rank (checked); null in a one-rank run
 */
public record TrainingResult(long stepsDone, long totalSteps, double lastLoss, long badSteps, Path checkpoint, boolean stopped,
                             String stateSha256) {
    /** A one-rank run's result. */
    public TrainingResult(long stepsDone, long totalSteps, double lastLoss, long badSteps, Path checkpoint, boolean stopped) {
        this(stepsDone, totalSteps, lastLoss, badSteps, checkpoint, stopped, null);
    }
}
