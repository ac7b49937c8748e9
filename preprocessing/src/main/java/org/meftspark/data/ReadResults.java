package org.meftspark.data;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazily read sequence of {@link ReadResult}s over one input, holding the input open
 * until closed. Iteration never throws for bad records (they come out as
 * {@link Rejection}s); it throws {@link UnusableInputException} only when the input itself
 * fails (an I/O error).
 */
public interface ReadResults extends Iterator<ReadResult>, AutoCloseable {

    /** Closes the underlying input. */
    @Override
    void close();

    /** This sequence as a sequential stream; closing the stream closes the input. */
    default Stream<ReadResult> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(this::close);
    }
}
