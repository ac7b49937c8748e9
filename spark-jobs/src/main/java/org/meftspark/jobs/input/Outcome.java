package org.meftspark.jobs.input;

import java.io.Serializable;

/**
 * What a stage made of one record: a value for the next stage, or a {@link Reject} kept aside.
 * Stages emit these instead of throwing, so one bad record never fails a task.
 *
 * @param value  the record for the next stage, or null
 * @param reject why it was kept out, or null
 * @param <T>    the value type
 */
public record Outcome<T>(T value, Reject reject) implements Serializable {

    /** A record that goes on. */
    public static <T> Outcome<T> ok(T value) {
        return new Outcome<>(value, null);
    }

    /** A record kept aside. */
    public static <T> Outcome<T> rejected(Reject reject) {
        return new Outcome<>(null, reject);
    }

    /** Whether this is a value. */
    public boolean isOk() {
        return value != null;
    }
}
