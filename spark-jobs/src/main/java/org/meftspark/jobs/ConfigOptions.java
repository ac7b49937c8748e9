package org.meftspark.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;
import picocli.CommandLine.Option;

/** The options every job that reads a run configuration takes (a picocli mixin). */
public final class ConfigOptions {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Run configuration (YAML).")
    Path file;

    @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE", description = "Override one key (repeatable).")
    List<String> overrides = new ArrayList<>();

    /**
     * A run configuration as read and checked.
     *
     * @param text      the file's text, which jobs that record their configuration (run, study) keep
     * @param source    the file's name, for messages
     * @param overrides the {@code --set} overrides, in order
     * @param config    the checked configuration, overrides applied
     */
    public record Loaded(String text, String source, List<String> overrides, RunConfig config) {
        public Loaded {
            overrides = List.copyOf(overrides);
        }

        /** Every variant of the run ({@code run.sweep}), each one checked. */
        public List<RunVariant> variants() {
            return RunConfigLoader.variants(text, source, overrides);
        }
    }

    /** The configuration file. */
    public Path file() {
        return file;
    }

    /** The {@code --set} overrides, in order. */
    public List<String> overrides() {
        return overrides;
    }

    /**
     * Reads and checks the configuration; every problem is reported at once, as a
     * {@link org.meftspark.config.ConfigException}.
     */
    public Loaded load() {
        String text = RunConfigLoader.readText(file);
        return new Loaded(text, file.toString(), overrides, RunConfigLoader.parse(text, file.toString(), overrides));
    }
}
