package org.meftspark.meft;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What a MEFT step adds to its {@code metrics.jsonl} line (absent for every other method): the
 * active sets and the time spent outside the device's compute (meft-method.md, "Training step").
 *
 * @param activeSetSize         mean |U| per layer over the step's micro-batches
 * @param capHits               micro-batches per layer whose union exceeded the cap L
 * @param neuronsTouched        neurons updated at least once since the run started
 * @param rowsUpdated           rows the host optimizer finished since the last step's report (with overlap, step s's
 *                              update finishes during step s+1)
 * @param retrievalS            routing, host retrieval and union
 * @param transferS             gathers and copies to the device, and gradients back into the store
 * @param hostUpdateS           host AdamW time the step waited for
 * @param hostUpdateBackgroundS host AdamW time that overlapped the next step's compute
 */
public record MeftStepStats(
        @JsonProperty("active_set_size") List<Double> activeSetSize,
        @JsonProperty("cap_hits") List<Long> capHits,
        @JsonProperty("neurons_touched") long neuronsTouched,
        @JsonProperty("rows_updated") long rowsUpdated,
        @JsonProperty("retrieval_s") double retrievalS,
        @JsonProperty("transfer_s") double transferS,
        @JsonProperty("host_update_s") double hostUpdateS,
        @JsonProperty("host_update_background_s") double hostUpdateBackgroundS) {

    public MeftStepStats {
        activeSetSize = List.copyOf(activeSetSize);
        capHits = List.copyOf(capHits);
    }

    /** Seconds of the step spent outside the device's compute. */
    public double outsideComputeS() {
        return retrievalS + transferS + hostUpdateS;
    }
}
