package org.meftspark.generation;

import java.util.List;

/**
 * Decoding settings.
 *
 * @param maxNewTokens   upper bound of generated tokens per prompt (reference setup: 256)
 * @param numBeams       1 = greedy; the reference setup decodes with beam 4
 * @param eosTokenIds    a generated token among these ends the sequence (it is not returned)
 * @param stopSequences  token sequences that end generation when the output ends with one
 *                       (stop strings, tokenized by the caller; the sequence is not returned)
 * @param padTokenId     token placed at left-padding slots (masked out, its value is irrelevant)
 * @param lengthPenalty  beam scores are sum(log p) / generated_length^lengthPenalty (HF default 1.0)
 */
public record GenerationConfig(int maxNewTokens, int numBeams, List<Integer> eosTokenIds,
                               List<long[]> stopSequences, long padTokenId, double lengthPenalty) {
    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (numBeams < 1) {
            throw new IllegalArgumentException("numBeams must be >= 1, got " + numBeams);
        }
        eosTokenIds = List.copyOf(eosTokenIds);
        stopSequences = List.copyOf(stopSequences);
    }

    public static GenerationConfig greedy(int maxNewTokens, List<Integer> eos) {
        return new GenerationConfig(maxNewTokens, 1, eos, List.of(), 0, 1.0);
    }

    public GenerationConfig withBeams(int beams) {
        return new GenerationConfig(maxNewTokens, beams, eosTokenIds, stopSequences, padTokenId, lengthPenalty);
    }

    public GenerationConfig withStopSequences(List<long[]> stops) {
        return new GenerationConfig(maxNewTokens, numBeams, eosTokenIds, stops, padTokenId, lengthPenalty);
    }

    /** Length of the stop sequence that {@code out[0, len)} ends with, or 0. */
    int stopSuffix(long[] out, int len) {
        for (long[] s : stopSequences) {
            if (s.length > 0 && s.length <= len) {
                boolean match = true;
                for (int i = 0; i < s.length && match; i++) {
                    match = out[len - s.length + i] == s[i];
                }
                if (match) {
                    return s.length;
                }
            }
        }
        return 0;
    }
}
