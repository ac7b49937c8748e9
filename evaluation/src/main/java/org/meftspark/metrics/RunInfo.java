package org.meftspark.metrics;

import java.util.Map;

/**
 * Provenance recorded with every result (so a number can be traced to what produced it).
 *
 * @param method           what was evaluated, e.g. {@code meft}, {@code lora}, {@code base}, or a system name
 * @param model            model folder or name
 * @param adapter          adapter checkpoint, or null for the base model / foreign predictions
 * @param decoding         e.g. {@code greedy} or {@code beam4}; null for scored foreign predictions
 * @param bootstrapSamples resamples behind the intervals (0: none)
 * @param seed             bootstrap seed
 * @param createdAt        ISO-8601 instant the summary was made
 * @param extra            anything else worth keeping (config sha256, git commit, ...)
 */
public record RunInfo(String method, String model, String adapter, String decoding, int bootstrapSamples, long seed,
                      String createdAt, Map<String, String> extra) {
    /** Copies {@code extra}; requires a method name, the key every chart groups by. */
    public RunInfo {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("a run needs a method name");
        }
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
}
