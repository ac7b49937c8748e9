package org.meftspark.metrics;

import java.util.List;

/**
 * {@code contains}: 1 when some gold answer occurs in the generated text. This is the looser score
 * the reference code reported for NQ and SQuAD (meft-method.md section 7); it is always reported
 * under the name {@code contains}, never as EM.
 *
 * <p>Both texts are normalised as for EM, and the gold must occur as whole tokens
 * ({@code " " + gold + " "} inside {@code " " + prediction + " "}): a raw substring test would count
 * gold "4" as found in "1945" and gold "art" in "start". A gold that normalises to nothing would be
 * found in every text, so it is ignored here (and counted as a warning by {@link TaskScorer}).
 */
public final class ContainsAnswer {
    private ContainsAnswer() {
    }

    /** 1.0 when a non-empty normalised gold occurs as whole tokens in the normalised prediction. */
    public static double score(String prediction, List<String> golds, AnswerNormalization norm) {
        String p = " " + norm.normalize(prediction) + " ";
        for (String g : golds) {
            String n = norm.normalize(g);
            if (!n.isEmpty() && p.contains(" " + n + " ")) {
                return 1.0;
            }
        }
        return 0.0;
    }
}
