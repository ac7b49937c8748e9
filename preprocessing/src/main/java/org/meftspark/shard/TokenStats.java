package org.meftspark.shard;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Exact, mergeable statistics of sequence lengths: a histogram indexed by length, so
 * partitions computed on different executors merge into exact percentiles on the driver.
 * Memory is one long per distinct length up to the maximum (4096 tokens: 32 KiB).
 */
public final class TokenStats implements Serializable {
    private static final long serialVersionUID = 1L;
    /** counts[len] = number of sequences of that length, shape [maxSeen + 1]. */
    private long[] counts = new long[64];
    private long sequences;
    private long tokens;

    /** Counts one sequence. */
    public void add(int length) {
        if (length >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(length + 1, counts.length * 2));
        }
        counts[length]++;
        sequences++;
        tokens += length;
    }

    /** Adds another partition's counts into this one. */
    public TokenStats merge(TokenStats other) {
        if (other.counts.length > counts.length) {
            counts = Arrays.copyOf(counts, other.counts.length);
        }
        for (int i = 0; i < other.counts.length; i++) {
            counts[i] += other.counts[i];
        }
        sequences += other.sequences;
        tokens += other.tokens;
        return this;
    }

    /** Number of sequences. */
    public long sequences() {
        return sequences;
    }

    /** Total tokens. */
    public long tokens() {
        return tokens;
    }

    /** Mean length, 0 when empty. */
    public double mean() {
        return sequences == 0 ? 0 : (double) tokens / sequences;
    }

    /** Nearest-rank percentile (the smallest length with at least p% of sequences at or below it), 0 when empty. */
    public int percentile(double p) {
        if (sequences == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * sequences));
        long seen = 0;
        for (int len = 0; len < counts.length; len++) {
            seen += counts[len];
            if (seen >= rank) {
                return len;
            }
        }
        return max();
    }

    /** Longest sequence, 0 when empty. */
    public int max() {
        for (int len = counts.length - 1; len >= 0; len--) {
            if (counts[len] > 0) {
                return len;
            }
        }
        return 0;
    }
}
