package org.meftspark.jobs.results;

import java.io.Serializable;
import java.util.List;
import org.meftspark.metrics.RowScore;

/**
 * One row of the per-example results (Parquet), from generation or from foreign predictions.
 *
 * @param id              example id
 * @param dataset         dataset key
 * @param split           split, or null when the references did not name one
 * @param prompt          the prompt as the model saw it; null for foreign predictions
 * @param prediction      the answer; null when none was generated or given
 * @param references      gold references
 * @param score           the metrics; null when the row could not be scored at all (unknown dataset)
 * @param warnings        what was wrong, as {@code NAME} or {@code NAME: detail}, in the order met
 * @param promptTokens    prompt length in tokens, or null
 * @param generatedTokens tokens generated, or null
 * @param source          where the example (or prediction) came from
 * @param question        the question asked, shown next to the id (empty when the references did not hold it)
 */
public record EvalRow(String id, String dataset, String split, String prompt, String prediction,
                      List<String> references, RowScore score, List<String> warnings, Integer promptTokens,
                      Integer generatedTokens, String source, String question) implements Serializable {
    /** Copies the lists. */
    public EvalRow {
        question = question == null ? "" : question;
        references = List.copyOf(references);
        warnings = List.copyOf(warnings);
    }
}
