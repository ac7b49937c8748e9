package org.meftspark.data;

import java.io.Serializable;

/**
 * A record that could not be used: what was wrong, where, and (in the message) what to do.
 *
 * @param reason  the counted category
 * @param message a human-readable explanation naming the field or limit involved
 * @param source  file and line (or index) of the record
 * @param id      the record's own id as far as it could be read ({@code squad:<id>}, the content id of
 *                an NQ-open or GSM8K question, ...), so a user can tell which records were dropped;
 *                empty when the record holds none (a line that is not JSON)
 */
public record Rejection(RejectReason reason, String message, SourceLocation source, String id)
        implements ReadResult, Serializable {

    /** Checks the id is not null. */
    public Rejection {
        id = id == null ? "" : id;
    }

    /** A rejection of a record with no readable id. */
    public Rejection(RejectReason reason, String message, SourceLocation source) {
        this(reason, message, source, "");
    }

    @Override
    public String toString() {
        return source + ": " + reason.code() + (id.isEmpty() ? "" : " [" + id + "]") + ": " + message;
    }
}
