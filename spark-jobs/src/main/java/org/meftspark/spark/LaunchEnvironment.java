package org.meftspark.spark;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The JVM flags ({@code .mvn/jvm.config}) and environment ({@code conf/runtime.env})
 * that every JVM of the project runs with, read from their one definition so that
 * processes started from Java (standalone master, worker, executors) match the
 * launchers and Surefire.
 *
 * @param root the project root holding .mvn/ and conf/
 */
public record LaunchEnvironment(Path root) {

    /** The project root from {@code -Dmeft.project.root} (set by bin/ and Surefire), else the working directory. */
    public static LaunchEnvironment current() {
        return new LaunchEnvironment(Path.of(System.getProperty("meft.project.root", ".")).toAbsolutePath().normalize());
    }

    /** One flag per line of .mvn/jvm.config. */
    public List<String> jvmFlags() {
        try {
            return Files.readAllLines(root.resolve(".mvn/jvm.config")).stream().map(String::strip)
                    .filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root.resolve(".mvn/jvm.config")
                    + ": run from the project root or set -Dmeft.project.root", e);
        }
    }

    /** KEY=VALUE pairs of conf/runtime.env (a properties file as far as Java is concerned). */
    public Map<String, String> environment() {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(root.resolve("conf/runtime.env"))) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root.resolve("conf/runtime.env"), e);
        }
        Map<String, String> env = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> env.put(k, p.getProperty(k)));
        return env;
    }

    /** conf/log4j2.properties, the logging of every project JVM. */
    public Path logConfig() {
        return root.resolve("conf/log4j2.properties");
    }
}
