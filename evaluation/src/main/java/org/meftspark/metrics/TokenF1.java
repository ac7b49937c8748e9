package org.meftspark.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token F1 of the SQuAD v1.1 script ({@code f1_score}), maximum over gold answers: the bag-of-tokens
 * overlap of the normalised prediction and gold, {@code 2PR / (P + R)}. As in v1.1 (not v2.0), no
 * common token gives 0, so an empty prediction scores 0 even against a gold that normalises to
 * nothing.
 */
public final class TokenF1 {
    private TokenF1() {
    }

    /** Maximum F1 over {@code golds} (non-empty, no blank entries), in [0, 1]. */
    public static double score(String prediction, List<String> golds, AnswerNormalization norm) {
        String[] p = norm.tokens(prediction);
        double best = 0;
        for (String g : golds) {
            best = Math.max(best, f1(p, norm.tokens(g)));
        }
        return best;
    }

    /** {@code f1_score} over already normalised tokens. */
    static double f1(String[] prediction, String[] gold) {
        Map<String, Integer> goldCounts = new HashMap<>();
        for (String t : gold) {
            goldCounts.merge(t, 1, Integer::sum);
        }
        int same = 0;
        for (String t : prediction) {
            Integer c = goldCounts.get(t);
            if (c != null && c > 0) { // Counter & Counter: the smaller of the two counts
                same++;
                goldCounts.put(t, c - 1);
            }
        }
        if (same == 0) {
            return 0.0;
        }
        double precision = (double) same / prediction.length;
        double recall = (double) same / gold.length;
        return 2 * precision * recall / (precision + recall);
    }
}
