package org.meftspark.evaluation;

import java.util.List;
import org.meftspark.data.Dataset;

/**
 * Predictions in input order, and the inputs that could not be generated for (counted and kept
 * with the reason, never silently dropped).
 */
public record GenerationResult(List<Prediction> predictions, List<Skipped> skipped) {
    /** Copies. */
    public GenerationResult {
        predictions = List.copyOf(predictions);
        skipped = List.copyOf(skipped);
    }

    /** An input without a prediction, and why. */
    public record Skipped(String id, Dataset dataset, String reason) {
    }
}
