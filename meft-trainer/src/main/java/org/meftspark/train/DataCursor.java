package org.meftspark.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.meftspark.config.TrainingSection;
import org.meftspark.optim.Seeds;
import org.meftspark.tokenize.TokenizedExample;

/**
 * Where the training data stands: the epoch and the next row of that epoch's order. Each epoch's
 * order is a function of (run seed, epoch) alone, so a resumed run rebuilds it from the checkpoint's
 * (epoch, next row) and reads the same rows the uninterrupted run would have read.
 */
final class DataCursor {
    private final List<TokenizedExample> rows;
    private final TrainingSection training;
    private final long seed;
    private long epoch;
    private int next;
    private int[] order;

    DataCursor(List<TokenizedExample> rows, TrainingSection training, long seed, long epoch, int next) {
        this.rows = rows;
        this.training = training;
        this.seed = seed;
        this.epoch = epoch;
        this.next = next;
        this.order = order(epoch);
    }

    /** Steps in the run: max_steps, or epochs times the steps of one pass of the global batch (all ranks). */
    static long totalSteps(TrainingSection t, long rows) {
        if (t.maxSteps() > 0) {
            return t.maxSteps();
        }
        long perStep = t.globalBatch();
        return t.epochs() * ((rows + perStep - 1) / perStep);
    }

    long epoch() {
        return epoch;
    }

    int next() {
        return next;
    }

    /** The next micro-batch's rows; a micro-batch never spans two epochs. */
    List<TokenizedExample> nextRows() {
        if (next >= order.length) {
            epoch++;
            next = 0;
            order = order(epoch);
        }
        int n = Math.min(training.microBatchSize(), order.length - next);
        List<TokenizedExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(rows.get(order[next + i]));
        }
        next += n;
        return out;
    }

    /** The epoch's row order: shuffled from (seed, 1, epoch), then grouped by length from (seed, 3, epoch) if asked. */
    private int[] order(long e) {
        List<Integer> idx = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            idx.add(i);
        }
        if (training.shuffle()) {
            Collections.shuffle(idx, new Random(Seeds.derive(seed, 1, e)));
        }
        int[] o = idx.stream().mapToInt(Integer::intValue).toArray();
        return training.lengthGrouping()
                ? LengthGrouping.group(o, rows, training.microBatchSize(), Seeds.derive(seed, 3, e))
                : o;
    }
}
