package org.meftspark.data;

import java.io.Serializable;

/**
 * A record that could not be used: what was wrong, where, and (in the message) what to do.
 *
 * @param reason  the counted category
 * @param message a human-readable explanation naming the field or limit involved
 * @param source  file and line (or index) of the record
 */
public record Rejection(RejectReason reason, String message, SourceLocation source)
        implements ReadResult, Serializable {

    @Override
    public String toString() {
        return source + ": " + reason.code() + ": " + message;
    }
}
