package org.meftspark.metrics;

import java.util.List;

/**
 * Exact match, {@code metric_max_over_ground_truths(exact_match_score, prediction, golds)} of the
 * SQuAD v1.1 script (and of the NQ-open evaluation with its NFD normalisation): 1 when the normalised
 * prediction equals some normalised gold answer, else 0.
 */
public final class ExactMatch {
    private ExactMatch() {
    }

    /**
     * @param golds non-empty; the caller ({@link TaskScorer}) removes null and blank entries first
     * @return 1.0 or 0.0
     */
    public static double score(String prediction, List<String> golds, AnswerNormalization norm) {
        String p = norm.normalize(prediction);
        for (String g : golds) {
            if (p.equals(norm.normalize(g))) {
                return 1.0;
            }
        }
        return 0.0;
    }
}
