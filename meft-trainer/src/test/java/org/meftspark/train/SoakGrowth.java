package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.ToLongFunction;
import org.assertj.core.api.SoftAssertions;

/** The soak's one rule: after warm-up, no sample exceeds the value at the end of warm-up by more than a bound. */
final class SoakGrowth {
    private SoakGrowth() {
    }

    /** Returns the largest rise seen (for the report); records a failure in {@code soft} when it exceeds {@code bound}. */
    static long check(SoftAssertions soft, List<MemorySample> samples, double warmUpSeconds, String what,
                      ToLongFunction<MemorySample> reading, long bound) {
        List<MemorySample> after = samples.stream().filter(s -> s.seconds() >= warmUpSeconds).toList();
        assertThat(after).as("samples after the %.0f s warm-up", warmUpSeconds).hasSizeGreaterThan(1);
        long base = reading.applyAsLong(after.get(0));
        long max = after.stream().mapToLong(reading).max().orElseThrow();
        System.out.printf("soak %s: at end of warm-up %d, max after %d, rise %d (bound %d)%n", what, base, max, max - base,
                bound);
        soft.assertThat(max - base).as("%s rise after warm-up (from %d)", what, base).isLessThanOrEqualTo(bound);
        return max - base;
    }
}
