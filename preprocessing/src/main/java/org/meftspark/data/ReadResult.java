package org.meftspark.data;

/**
 * One item a reader produces: either a valid {@link Example} or a {@link Rejection}.
 * Readers return a stream of these instead of throwing, so one bad record never
 * loses the valid records around it.
 */
public sealed interface ReadResult permits Example, Rejection {

    /** Where the record came from. */
    SourceLocation source();
}
