package org.meftspark.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.meftspark.tokenize.TokenizedExample;

/**
 * {@code training.length_grouping}: reorders an epoch's row order so that each micro-batch holds
 * rows of similar length (a micro-batch is padded to its longest row, so one 700-token row among
 * 140-token ones makes the step five times dearer). The order is cut into windows of
 * {@value #WINDOW_BATCHES} micro-batches; each window is sorted by length (stable, so ties keep the
 * shuffled order) and cut into micro-batches, and all micro-batches of the epoch are then visited
 * in a seeded random order (a short last micro-batch stays last). A pure function of its inputs, so resume replays it exactly.
 */
final class LengthGrouping {
    static final int WINDOW_BATCHES = 64;

    private LengthGrouping() {
    }

    /** The grouped order: the same rows as {@code order}, micro-batch by micro-batch. */
    static int[] group(int[] order, List<TokenizedExample> rows, int microBatch, long seed) {
        int window = WINDOW_BATCHES * microBatch;
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from < order.length; from += window) {
            Integer[] w = Arrays.stream(order, from, Math.min(order.length, from + window)).boxed().toArray(Integer[]::new);
            Arrays.sort(w, Comparator.comparingInt(i -> rows.get(i).inputIds().length));
            for (int b = 0; b < w.length; b += microBatch) {
                batches.add(Arrays.stream(w, b, Math.min(w.length, b + microBatch)).mapToInt(Integer::intValue).toArray());
            }
        }
        // Only the epoch's last window can end in a short micro-batch; it stays last, because the
        // trainer takes micro-batches as consecutive runs of microBatch rows.
        int[] tail = batches.get(batches.size() - 1).length < microBatch ? batches.remove(batches.size() - 1) : null;
        Collections.shuffle(batches, new Random(seed));
        if (tail != null) {
            batches.add(tail);
        }
        int[] out = new int[order.length];
        int p = 0;
        for (int[] b : batches) {
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
        }
        return out;
    }
}
