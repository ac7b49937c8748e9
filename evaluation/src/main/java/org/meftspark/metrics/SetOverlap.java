package org.meftspark.metrics;

import java.util.Set;

/**
 * Overlap of a predicted and a gold set (ToolBench, meft-method.md section 7):
 * IoU {@code |P ∩ G| / |P ∪ G|}, precision {@code |P ∩ G| / |P|}, recall {@code |P ∩ G| / |G|}.
 * An empty prediction has precision 0 (scikit-learn's {@code zero_division=0}), so no value is NaN.
 */
public record SetOverlap(double iou, double precision, double recall) {

    /** @param gold non-empty (a row without gold pairs is not scored) */
    public static <T> SetOverlap of(Set<T> predicted, Set<T> gold) {
        if (gold.isEmpty()) {
            throw new IllegalArgumentException("the gold set is empty: nothing to score against");
        }
        long common = predicted.stream().filter(gold::contains).count();
        long union = predicted.size() + gold.size() - common;
        return new SetOverlap((double) common / union,
                predicted.isEmpty() ? 0.0 : (double) common / predicted.size(),
                (double) common / gold.size());
    }
}
