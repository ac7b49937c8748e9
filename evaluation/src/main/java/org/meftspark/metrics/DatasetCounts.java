package org.meftspark.metrics;

import java.util.Map;

/**
 * Row counts of one dataset.
 *
 * @param rows     rows seen
 * @param scored   rows that had a usable reference and so metric values
 * @param warnings occurrences per {@link ScoreWarning} name, only those that occurred
 */
public record DatasetCounts(long rows, long scored, Map<String, Long> warnings) {
    /** Copies the map. */
    public DatasetCounts {
        warnings = Map.copyOf(warnings);
    }
}
