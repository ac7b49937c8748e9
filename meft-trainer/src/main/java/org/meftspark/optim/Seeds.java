package org.meftspark.optim;

/**
 * Seeds derived from the run's master seed and a position (step, micro-batch, layer, ...), so
 * every random draw of a run is a pure function of where it happens. A resumed run therefore
 * draws exactly what the uninterrupted run drew, without saving generator states.
 */
public final class Seeds {
    private Seeds() {
    }

    /** SplitMix64 over the parts in order: well mixed, cheap, and stable across JVMs. */
    public static long derive(long seed, long... parts) {
        long h = mix(seed);
        for (long p : parts) {
            h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
        }
        // libtorch's CPU generator takes any uint64; keep it non-negative for readable logs.
        return h & Long.MAX_VALUE;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
