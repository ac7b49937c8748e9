package org.meftspark.train;

/** Typed training records for tests that need one without running a trainer. */
final class TestStates {
    private TestStates() {
    }

    static TrainingRun run(long totalSteps) {
        return new TrainingRun("lora", totalSteps, 10, 100, 0, "no host-resident adapter", 1, "cpu");
    }

    static TrainState state(long step, long epoch, int nextRow) {
        return new TrainState(run(8), step, epoch, nextRow, 0, 0, 0);
    }

    /** A step with the fields ConsoleProgress shows, the rest zero. */
    static StepMetrics step(long step, double loss, double lr, double tokensPerS, double stepS) {
        return new StepMetrics(step, 0, loss, lr, 0, false, 0, 0, tokensPerS, stepS, null, null, stepS, java.util.Map.of(), 0, 0, 0);
    }
}
