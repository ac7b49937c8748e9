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
 */
public record TrainingResult(long stepsDone, long totalSteps, double lastLoss, long badSteps, Path checkpoint, boolean stopped) {
}
