package org.meftspark.metrics;

import java.io.Serializable;
import java.util.List;

/**
 * What a prediction is scored against.
 *
 * @param references gold answers, {@code "tool, api"} pairs or the gold number (may hold null or blank entries:
 *                   {@link TaskScorer} drops and counts them)
 * @param noAnswer   an unanswerable SQuAD v2.0 question: the right answer is the empty string, scored as
 *                   {@code evaluate-v2.0.py} scores it
 * @param candidates ToolBench: the query's candidate APIs as {@code tool + TAB + api}, against which a line that
 *                   cannot be split safely (more than one comma, or {@code ": "}) is matched; empty elsewhere
 */
public record Golds(List<String> references, boolean noAnswer, List<String> candidates) implements Serializable {
    /** Copies the lists (null entries in references are kept for the scorer to count). */
    public Golds {
        references = references == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(references));
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
    }

    /** Plain references: answerable, no candidate list. */
    public static Golds of(List<String> references) {
        return new Golds(references, false, List.of());
    }
}
