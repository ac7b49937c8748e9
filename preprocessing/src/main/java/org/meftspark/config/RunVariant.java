package org.meftspark.config;

import java.util.List;

/**
 * One trainable variant of a run: the configuration with the variant's overrides applied.
 *
 * @param name      the variant's name ({@code variants/NAME} in the run directory)
 * @param config    the complete configuration of the variant
 * @param overrides every override applied over the file, command line first, then the variant's own
 */
public record RunVariant(String name, RunConfig config, List<String> overrides) implements java.io.Serializable {
    public RunVariant {
        overrides = List.copyOf(overrides);
    }
}
