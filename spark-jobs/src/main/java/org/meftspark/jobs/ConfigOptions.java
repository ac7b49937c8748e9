package org.meftspark.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.spark.Sessions;
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

    /** What runs inside {@link #inSession}: the session and the configuration's text. */
    @FunctionalInterface
    public interface SessionBody<T> {
        T run(SparkSession spark, String configText) throws Exception;
    }

    /**
     * Reads the configuration (every problem reported before Spark starts), opens the session its
     * {@code spark} section names, and runs {@code body} in it: the shape of every job that runs
     * from one configuration file in one session ({@code run}, {@code study}).
     */
    public <T> T inSession(String appName, SessionBody<T> body) throws Exception {
        String text = RunConfigLoader.readText(file);
        RunConfig base = RunConfigLoader.parse(text, file.toString(), overrides);
        try (SparkSession spark = Sessions.create(appName + " " + base.run().name(), base.spark().master(),
                base.spark().conf())) {
            return body.run(spark, text);
        }
    }
}
