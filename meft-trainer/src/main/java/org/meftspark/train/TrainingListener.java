package org.meftspark.train;

import java.util.Map;

/** Receives the trainer's progress; the CLI shows it, tests and Spark jobs may stop a run through it. */
public interface TrainingListener {
    TrainingListener NONE = new TrainingListener() {
    };

    /** Once, before the first step: the run's description (method, steps, parameters, memory plan). */
    default void onStart(Map<String, Object> run) {
    }

    /** After every optimizer step, with the JSON-lines metrics record of that step. */
    default void onStep(Map<String, Object> metrics) {
    }

    /** Asked after every step; true ends the run gracefully with a checkpoint (resumable). */
    default boolean shouldStop(long stepsDone) {
        return false;
    }

    /** Once, at the end. */
    default void onEnd(TrainingResult result) {
    }
}
