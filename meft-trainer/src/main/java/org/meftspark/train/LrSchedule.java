package org.meftspark.train;

import org.meftspark.config.TrainingSection;

/** Learning rate of each optimizer step: linear warm-up, then constant, linear or cosine decay to zero. */
public final class LrSchedule {
    private LrSchedule() {
    }

    /**
     * @param step  0-based index of the update
     * @param total updates in the run
     */
    public static double at(TrainingSection t, long step, long total) {
        double base = t.learningRate();
        long warm = t.warmupSteps();
        if (step < warm) {
            return base * (step + 1) / warm;
        }
        double progress = (step - warm) / (double) Math.max(1, total - warm);
        return switch (t.lrSchedule()) {
            case CONSTANT -> base;
            case LINEAR -> base * Math.max(0.0, 1.0 - progress);
            case COSINE -> base * 0.5 * (1.0 + Math.cos(Math.PI * Math.min(1.0, progress)));
        };
    }
}
