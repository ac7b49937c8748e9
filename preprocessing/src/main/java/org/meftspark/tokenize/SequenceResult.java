package org.meftspark.tokenize;

import org.meftspark.data.Rejection;

/** What {@link SequenceBuilder} makes of an example: a sequence, or a counted drop. */
public sealed interface SequenceResult permits SequenceResult.Built, SequenceResult.Dropped {

    /**
     * Tokens the example needs uncut ({@code BOS + prompt + target + EOS}): what {@code max_length} must be
     * for it to fit whole, the input of the summary's suggested {@code max_length}.
     */
    int fullLength();

    /** A sequence that fits. */
    record Built(TokenizedExample example) implements SequenceResult {
        @Override
        public int fullLength() {
            return example.inputIds().length + example.truncatedTokens();
        }
    }

    /**
     * An example that cannot fit (target or prompt too long, SQuAD answer outside every window), or one the
     * chat template refused.
     *
     * @param fullLength its uncut length in tokens; 0 when it was never tokenized (a refused chat)
     */
    record Dropped(Rejection rejection, int fullLength) implements SequenceResult {
    }
}
