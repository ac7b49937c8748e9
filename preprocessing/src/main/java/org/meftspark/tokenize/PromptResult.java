package org.meftspark.tokenize;

import org.meftspark.data.Rejection;

/** What {@link SequenceBuilder#promptIds(org.meftspark.data.Example, int)} makes of an example's prompt. */
public sealed interface PromptResult permits PromptResult.Fits, PromptResult.Dropped {

    /**
     * A prompt within the limit.
     *
     * @param ids             {@code [BOS] prompt} token ids
     * @param truncatedTokens tokens of the truncatable field removed to fit (0 when it fit as it was)
     */
    record Fits(int[] ids, int truncatedTokens) implements PromptResult {
    }

    /** A prompt whose template text alone exceeds the limit. */
    record Dropped(Rejection rejection) implements PromptResult {
    }
}
