package org.meftspark.tokenize;

import org.meftspark.data.Rejection;

/** What {@link SequenceBuilder} makes of an example: a sequence, or a counted drop. */
public sealed interface SequenceResult permits SequenceResult.Built, SequenceResult.Dropped {

    /** A sequence that fits. */
    record Built(TokenizedExample example) implements SequenceResult {
    }

    /** An example that cannot fit (target too long, or prompt too long even without its field). */
    record Dropped(Rejection rejection) implements SequenceResult {
    }
}
