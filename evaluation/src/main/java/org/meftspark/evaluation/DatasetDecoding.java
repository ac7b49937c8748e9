package org.meftspark.evaluation;

import java.util.List;
import java.util.Map;
import org.meftspark.data.Dataset;

/**
 * How answers of one dataset are generated.
 *
 * @param stopStrings   generation ends when the output contains one; the text from it on is cut
 * @param maxNewTokens  most generated tokens
 */
public record DatasetDecoding(List<String> stopStrings, int maxNewTokens) implements java.io.Serializable {
    /** Copies; requires non-empty stop strings and a positive length. */
    public DatasetDecoding {
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a stop string must not be empty");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1: " + maxNewTokens);
        }
    }

    /**
     * Defaults that fit the answer shapes of {@code conf/templates} (meft-method.md section 7):
     * NQ-open and SQuAD answer in a few words on one line, so the first newline ends them (32 tokens);
     * ToolBench lists one pair per line, so a blank line ends the list (128 tokens); GSM8K writes a
     * multi-line solution ending {@code #### N}, so a blank line or the start of a new
     * {@code Question:} ends it (256 tokens, the reference setup's limit, section 6).
     */
    public static Map<Dataset, DatasetDecoding> defaults() {
        return Map.of(
                Dataset.NQ_OPEN, new DatasetDecoding(List.of("\n"), 32),
                Dataset.SQUAD, new DatasetDecoding(List.of("\n"), 32),
                Dataset.TOOLBENCH, new DatasetDecoding(List.of("\n\n"), 128),
                Dataset.GSM8K, new DatasetDecoding(List.of("\n\n", "\nQuestion:"), 256));
    }

    /** The same with at most {@code cap} new tokens (the run's {@code evaluation.max_new_tokens}). */
    public DatasetDecoding cappedAt(int cap) {
        return new DatasetDecoding(stopStrings, Math.min(maxNewTokens, cap));
    }
}
