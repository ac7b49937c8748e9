package org.meftspark.evaluation;

import java.io.Serializable;
import java.util.List;
import org.meftspark.data.Dataset;

/**
 * A generated answer with what is needed to score and show it.
 *
 * @param id              example id
 * @param dataset         which task
 * @param prompt          the prompt as the model saw it (decoded prompt ids, so truncation shows)
 * @param prediction      the answer: decoded, cut at the first stop string, trimmed
 * @param references      gold references
 * @param promptTokens    prompt length in tokens, BOS included
 * @param truncatedTokens prompt tokens cut to fit
 * @param generatedTokens tokens generated (stop sequence and EOS excluded)
 */
public record Prediction(String id, Dataset dataset, String prompt, String prediction, List<String> references,
                         int promptTokens, int truncatedTokens, int generatedTokens) implements Serializable {
    /** Copies the references. */
    public Prediction {
        references = List.copyOf(references);
    }
}
