package org.meftspark.train;

/** Receives the trainer's progress; the CLI shows it, tests and Spark jobs may stop a run through it. */
public interface TrainingListener {
    TrainingListener NONE = new TrainingListener() {
    };

    /** Once, before the first step: the run's description (method, steps, parameters, memory plan). */
    default void onStart(TrainingRun run) {
    }

    /** After every optimizer step, with that step's line of metrics.jsonl. */
    default void onStep(StepMetrics metrics) {
    }

    /**
     * After rank 0 wrote a checkpoint (its folder), before any rank goes on: the Spark job publishes it
     * to a remote run directory here, so a retried stage resumes from it.
     */
    default void onCheckpoint(java.nio.file.Path checkpoint) {
    }

    /** Asked after every step; true ends the run gracefully with a checkpoint (resumable). */
    default boolean shouldStop(long stepsDone) {
        return false;
    }

    /** Once, at the end. */
    default void onEnd(TrainingResult result) {
    }
}
