package org.meftspark.tokenize;

import java.io.Serializable;
import java.util.List;

/**
 * One training/evaluation sequence, the row of a shard:
 * {@code [BOS] prompt-tokens target-tokens EOS}.
 *
 * @param id              the example's stable id
 * @param dataset         dataset key ({@code nq_open}, {@code squad}, ...)
 * @param split           split name
 * @param inputIds        token ids, shape [seqLen], seqLen <= the builder's maxLength
 * @param promptLength    number of leading positions that are BOS + prompt, excluded from the loss;
 *                        positions {@code promptLength..seqLen-1} (target and EOS) are predicted
 * @param references      gold answers for evaluation
 * @param source          {@code file:line} or {@code file#index} the example came from
 * @param truncatedTokens prompt tokens removed to fit maxLength (0 when it fit)
 * @param question        what the user asked (the dataset's question field), so a scorer can match predictions
 *                        that carry the question instead of the id, and outputs can show it next to the id
 * @param noAnswer        an unanswerable SQuAD v2.0 question (references empty; scored the v2.0 way)
 * @param candidates      ToolBench: the query's candidate APIs as {@code tool_name + TAB + api_name}; empty elsewhere
 */
public record TokenizedExample(String id, String dataset, String split, int[] inputIds, int promptLength,
                               List<String> references, String source, int truncatedTokens, String question,
                               boolean noAnswer, List<String> candidates) implements Serializable {

    /** Checks the prompt length lies inside the sequence and leaves at least one target position. */
    public TokenizedExample {
        references = List.copyOf(references);
        candidates = List.copyOf(candidates);
        question = question == null ? "" : question;
        if (promptLength < 0 || promptLength >= inputIds.length) {
            throw new IllegalArgumentException(id + ": promptLength " + promptLength + " outside [0, " + inputIds.length + ")");
        }
    }

    /** A row with no question text, answer flag or candidates (tests, synthetic data). */
    public TokenizedExample(String id, String dataset, String split, int[] inputIds, int promptLength,
                            List<String> references, String source, int truncatedTokens) {
        this(id, dataset, split, inputIds, promptLength, references, source, truncatedTokens, "", false, List.of());
    }

    /** Serialized as {@link TokenizedExampleWire}: Spark shuffles and caches every row. */
    private Object writeReplace() {
        return new TokenizedExampleWire(this);
    }

    /** Loss mask, shape [seqLen]: 1 where the token is a target to predict, 0 for BOS and prompt. */
    public byte[] lossMask() {
        byte[] mask = new byte[inputIds.length];
        java.util.Arrays.fill(mask, promptLength, mask.length, (byte) 1);
        return mask;
    }
}
