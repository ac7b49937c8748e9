package org.meftspark.metrics;

import java.io.Serializable;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** How often each {@link ScoreWarning} occurred; mergeable across partitions. Not thread-safe. */
public final class WarningCounts implements Serializable {
    private static final long serialVersionUID = 1L;
    private final EnumMap<ScoreWarning, Long> counts = new EnumMap<>(ScoreWarning.class);

    /** Counts one occurrence. */
    public void add(ScoreWarning w) {
        add(w, 1);
    }

    /** Counts {@code n} occurrences. */
    public void add(ScoreWarning w, long n) {
        if (n > 0) {
            counts.merge(w, n, Long::sum);
        }
    }

    /** Adds all counts of another instance (combining partitions). */
    public WarningCounts merge(WarningCounts other) {
        other.counts.forEach(this::add);
        return this;
    }

    /** Occurrences of {@code w}. */
    public long get(ScoreWarning w) {
        return counts.getOrDefault(w, 0L);
    }

    /** Total over all kinds. */
    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Read-only view, only kinds that occurred, in enum order. */
    public Map<ScoreWarning, Long> asMap() {
        return Collections.unmodifiableMap(counts);
    }

    @Override
    public String toString() {
        return counts.toString();
    }
}
