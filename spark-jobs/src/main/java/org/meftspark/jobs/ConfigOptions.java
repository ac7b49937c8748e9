package org.meftspark.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every job that reads a run configuration takes (a picocli mixin). */
public final class ConfigOptions {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Run configuration (YAML).")
    Path file;

    @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE", description = "Override one key (repeatable).")
    List<String> overrides = new ArrayList<>();

    /** The configuration file. */
    public Path file() {
        return file;
    }

    /** The {@code --set} overrides, in order. */
    public List<String> overrides() {
        return overrides;
    }
}
