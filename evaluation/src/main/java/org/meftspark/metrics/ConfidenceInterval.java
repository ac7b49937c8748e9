package org.meftspark.metrics;

/** A two-sided interval, {@code low <= high}; both finite. */
public record ConfidenceInterval(double low, double high) {
    /** Checks the bounds are finite and ordered. */
    public ConfidenceInterval {
        if (!Double.isFinite(low) || !Double.isFinite(high) || low > high) {
            throw new IllegalArgumentException("bad interval [" + low + ", " + high + "]");
        }
    }
}
