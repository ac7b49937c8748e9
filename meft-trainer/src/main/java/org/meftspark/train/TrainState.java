package org.meftspark.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * What a checkpoint restores besides the tensors: the run it belongs to and where the run stood.
 * Written as the checkpoint's {@code state.json}, flat as it always was (checkpoints from before this
 * record read back unchanged). RNG state needs no saving: every draw is seeded from the run seed and
 * its (step, micro-batch, layer) position.
 *
 * @param run        the run that wrote it
 * @param step       optimizer steps done
 * @param epoch      the epoch of the next row
 * @param nextRow    position of the next row in that epoch's order
 * @param badStreak  consecutive NaN/Inf steps just before the checkpoint
 * @param badTotal   NaN/Inf steps so far
 * @param tokensSeen target tokens trained on so far
 */
@JsonIgnoreProperties(value = "rng", allowGetters = true)
@JsonPropertyOrder({"run", "step", "epoch", "next_row", "bad_streak", "bad_total", "tokens_seen", "rng"})
public record TrainState(
        @JsonUnwrapped TrainingRun run,
        @JsonProperty("step") long step,
        @JsonProperty("epoch") long epoch,
        @JsonProperty("next_row") int nextRow,
        @JsonProperty("bad_streak") long badStreak,
        @JsonProperty("bad_total") long badTotal,
        @JsonProperty("tokens_seen") long tokensSeen) {

    /** The state of a run before its first step. */
    public static TrainState start(TrainingRun run) {
        return new TrainState(run, 0, 0, 0, 0, 0, 0);
    }

    /** A note for whoever opens state.json: why there is no RNG state in it. */
    @JsonProperty("rng")
    public String rng() {
        return "stateless: every draw is seeded from run.seed and its (step, micro-batch, layer) position";
    }

    /** Jackson cannot fill an unwrapped record component: reading goes through this factory. */
    @JsonCreator
    static TrainState fromJson(@JsonProperty("method") String method, @JsonProperty("total_steps") long totalSteps,
                               @JsonProperty("rows") long rows,
                               @JsonProperty("trainable_parameters") long trainableParameters,
                               @JsonProperty("host_bytes") long hostBytes,
                               @JsonProperty("host_memory_plan") String hostMemoryPlan, @JsonProperty("seed") long seed,
                               @JsonProperty("device") String device, @JsonProperty("step") long step,
                               @JsonProperty("epoch") long epoch, @JsonProperty("next_row") int nextRow,
                               @JsonProperty("bad_streak") long badStreak, @JsonProperty("bad_total") long badTotal,
                               @JsonProperty("tokens_seen") long tokensSeen) {
        return new TrainState(new TrainingRun(method, totalSteps, rows, trainableParameters, hostBytes, hostMemoryPlan,
                seed, device), step, epoch, nextRow, badStreak, badTotal, tokensSeen);
    }
}
