package org.meftspark.jobs.train;

import java.io.Serializable;

/**
 * What one training task reports to the driver.
 *
 * @param variant     the sweep variant
 * @param device      the device it trained on (with the GPU address Spark assigned)
 * @param resumedAt   the step it resumed from (0 for a fresh start)
 * @param stepsDone   optimizer steps completed
 * @param totalSteps  steps planned
 * @param lastLoss    mean target-token loss of the last step
 * @param badSteps    NaN/Inf steps skipped
 * @param checkpoint  the final checkpoint, relative to the training directory
 * @param seconds     wall time of the task
 * @param rank        the reporting task's rank
 * @param ranks       tasks that trained the variant together ({@code training.data_parallel})
 * @param stateSha256 SHA-256 of the trained state, the same on every rank; null for one rank
 */
public record TrainOutcome(String variant, String device, long resumedAt, long stepsDone, long totalSteps, double lastLoss,
                           long badSteps, String checkpoint, double seconds, int rank, int ranks, String stateSha256)
        implements Serializable {
    private static final long serialVersionUID = 2L;
}
