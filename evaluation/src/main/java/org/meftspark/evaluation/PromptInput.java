package org.meftspark.evaluation;

import java.util.List;
import org.meftspark.data.Dataset;

/**
 * One prompt to answer.
 *
 * @param id              example id
 * @param dataset         which task (chooses stop strings and length limit)
 * @param promptIds       {@code [BOS] prompt} token ids, shape [promptLen], non-empty
 * @param references      gold references, passed through to the prediction for scoring
 * @param truncatedTokens prompt tokens cut before generation (0 when none)
 */
public record PromptInput(String id, Dataset dataset, int[] promptIds, List<String> references, int truncatedTokens) {
    /** Copies the references. */
    public PromptInput {
        references = List.copyOf(references);
    }
}
