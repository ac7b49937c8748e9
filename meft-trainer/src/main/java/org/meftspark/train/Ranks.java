package org.meftspark.train;

import org.meftspark.adapters.Adaptation;
import org.meftspark.config.TrainingSection;
import org.meftspark.distributed.DataParallel;

/**
 * What the trainer does as one rank of a data-parallel run (issue 17) beyond the step's gradient sums:
 * rank 0 alone writes, every rank starts from the same step, stops together, waits for each checkpoint,
 * and ends with the same trained state. With one rank every method is a no-op.
 */
final class Ranks {
    private final DataParallel dp;

    Ranks(DataParallel dp, TrainingSection training) {
        if (training.dataParallel() != dp.worldSize()) {
            throw new IllegalArgumentException("training.data_parallel is " + training.dataParallel() + " but "
                    + dp.worldSize() + " rank(s) joined this run");
        }
        this.dp = dp;
    }

    DataParallel dataParallel() {
        return dp;
    }

    /** Rank 0: the one rank that writes the run directory. */
    boolean writer() {
        return dp.rank() == 0;
    }

    /** Fails unless every rank resumed from (or started at) the same step. */
    void requireSameStart(long step) {
        dp.requireSame(step, "the step training starts from");
    }

    /** Any rank's listener stops every rank (a stop on one alone would leave the others waiting in a collective). */
    boolean agreeToStop(boolean mine) {
        return dp.distributed() ? dp.allReduceSum(new double[] {mine ? 1 : 0}, "the stop decision")[0] > 0 : mine;
    }

    /** Every rank waits here until rank 0 has written the checkpoint of {@code step}. */
    void afterCheckpoint(long step) {
        dp.barrier("after the checkpoint of step " + step);
    }

    /**
     * Every rank hashes its trained state and the ranks compare the first 8 bytes: replicas that drifted
     * apart (they must not) fail the run instead of publishing one rank's view. One rank: {@code r} as it is.
     */
    TrainingResult checked(TrainingResult r, Adaptation adaptation) {
        if (!dp.distributed()) {
            return r;
        }
        String sha = StateDigest.sha256(adaptation.state());
        dp.requireSame(Long.parseUnsignedLong(sha.substring(0, 15), 16), "the trained state's SHA-256 (replicas differ)");
        return new TrainingResult(r.stepsDone(), r.totalSteps(), r.lastLoss(), r.badSteps(), r.checkpoint(), r.stopped(), sha);
    }
}
