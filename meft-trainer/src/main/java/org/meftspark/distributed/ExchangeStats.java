package org.meftspark.distributed;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a data-parallel step adds to its {@code metrics.jsonl} line (absent in a one-rank run).
 *
 * @param ranks               ranks in the run
 * @param allreduceBytes      bytes this rank contributed to the step's gradient sums: for MEFT the touched
 *                            rows' ids and the rows of the union U (|U| x d x 2 x 4 per layer with keys
 *                            trained) plus the routers; for the other methods every trainable's gradient
 * @param denseAllreduceBytes bytes the same sums would take with every trainable sent whole (for MEFT,
 *                            N x d x 2 x 4 per layer): the yardstick for MEFT's sparse exchange
 * @param allreduceS          wall-clock seconds of the step's collectives (the loss sum included)
 */
public record ExchangeStats(
        @JsonProperty("ranks") int ranks,
        @JsonProperty("allreduce_bytes") long allreduceBytes,
        @JsonProperty("dense_allreduce_bytes") long denseAllreduceBytes,
        @JsonProperty("allreduce_s") double allreduceS) {

    /** Both sums of two exchanges in one step (MEFT's rows and its routers). */
    public ExchangeStats plus(ExchangeStats o) {
        return new ExchangeStats(ranks, allreduceBytes + o.allreduceBytes, denseAllreduceBytes + o.denseAllreduceBytes,
                allreduceS + o.allreduceS);
    }
}
