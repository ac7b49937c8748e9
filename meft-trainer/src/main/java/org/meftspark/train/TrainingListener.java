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

    /** Asked after every step; true ends the run gracefully with a checkpoint (resumable). */
    default boolean shouldStop(long stepsDone) {
        return false;
    }

    /** Once, at the end. */
    default void onEnd(TrainingResult result) {
    }
}
