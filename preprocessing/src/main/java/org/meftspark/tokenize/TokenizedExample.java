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
 */
public record TokenizedExample(String id, String dataset, String split, int[] inputIds, int promptLength,
                               List<String> references, String source, int truncatedTokens) implements Serializable {

    /** Checks the prompt length lies inside the sequence and leaves at least one target position. */
    public TokenizedExample {
        references = List.copyOf(references);
        if (promptLength < 0 || promptLength >= inputIds.length) {
            throw new IllegalArgumentException(id + ": promptLength " + promptLength + " outside [0, " + inputIds.length + ")");
        }
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
