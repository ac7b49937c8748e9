package org.meftspark.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a training run is, fixed at its start: shown by {@link TrainingListener#onStart} and recorded in
 * every checkpoint, where a resume checks it ({@link #requireSameAs}).
 *
 * @param method              {@code adapter.method} in lower case
 * @param totalSteps          optimizer steps the run is planned for
 * @param rows                training rows
 * @param trainableParameters trainable scalars, host and device
 * @param hostBytes           host bytes of the method's state (MEFT's store; 0 otherwise)
 * @param hostMemoryPlan      MEFT's host plan and budget in words, or "no host-resident adapter"
 * @param seed                {@code run.seed}
 * @param device              the device trained on ({@code cpu}, {@code cuda:0})
 */
public record TrainingRun(
        @JsonProperty("method") String method,
        @JsonProperty("total_steps") long totalSteps,
        @JsonProperty("rows") long rows,
        @JsonProperty("trainable_parameters") long trainableParameters,
        @JsonProperty("host_bytes") long hostBytes,
        @JsonProperty("host_memory_plan") String hostMemoryPlan,
        @JsonProperty("seed") long seed,
        @JsonProperty("device") String device) {

    /**
     * Refuses a checkpoint of another run: resuming needs the same method, data, steps and seed, or
     * the data order and every seeded draw would silently differ from the run that wrote it.
     */
    public void requireSameAs(TrainingRun checkpointed, java.nio.file.Path checkpoint) {
        same(checkpoint, "method", checkpointed.method, method);
        same(checkpoint, "rows", checkpointed.rows, rows);
        same(checkpoint, "total_steps", checkpointed.totalSteps, totalSteps);
        same(checkpoint, "seed", checkpointed.seed, seed);
    }

    private static void same(java.nio.file.Path checkpoint, String key, Object written, Object now) {
        if (!String.valueOf(written).equals(String.valueOf(now))) {
            throw new IllegalStateException(checkpoint + " was written with " + key + " = " + written + ", this run has "
                    + now + "; resume needs the same configuration and data");
        }
    }

    @Override
    public String toString() {
        return "{method=" + method + ", total_steps=" + totalSteps + ", rows=" + rows + ", trainable_parameters="
                + trainableParameters + ", host_bytes=" + hostBytes + ", host_memory_plan=" + hostMemoryPlan + ", seed="
                + seed + ", device=" + device + "}";
    }
}
