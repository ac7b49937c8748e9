package org.meftspark.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Shared by the Spark tests: the test classpath, the fake GPU script, sessions on a standalone cluster. */
public final class TestSupport {

    private TestSupport() {
    }

    /**
     * Stops the session this JVM holds, if a test left one: SparkSession.getOrCreate would return it and
     * ignore the settings of the next session asked for.
     */
    public static void stopAnySession() {
        for (scala.Option<SparkSession> s : java.util.List.of(SparkSession.getActiveSession(),
                SparkSession.getDefaultSession())) {
            if (s.isDefined()) {
                s.get().stop();
            }
        }
    }

    /** The full test classpath (Surefire hides it behind a manifest jar in java.class.path). */
    public static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Copies the test discovery script (one fake GPU at address 0) into {@code dir}, executable. */
    public static Path fakeGpuDiscovery(Path dir) throws IOException {
        Path script = dir.resolve("fake-gpu-discovery.sh");
        try (InputStream in = TestSupport.class.getResourceAsStream("/fake-gpu-discovery.sh")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** Master and one worker with 2 cores, 1 GiB and {@code gpus} fake GPUs. */
    public static StandaloneCluster startCluster(Path dir, int gpus) throws IOException {
        Files.createDirectories(dir);
        return StandaloneCluster.start(new StandaloneCluster.Spec(dir, testClasspath(), 2, "1g", gpus,
                gpus > 0 ? fakeGpuDiscovery(dir) : null, Duration.ofSeconds(60)), LaunchEnvironment.current());
    }

    /**
     * Master and {@code workers} workers of one core each, each on its own loopback address, so
     * the scheduler sees {@code workers} hosts (speculation needs a second host), and no GPUs.
     */
    public static StandaloneCluster startHosts(Path dir, int workers) throws IOException {
        Files.createDirectories(dir);
        return StandaloneCluster.start(new StandaloneCluster.Spec(dir, testClasspath(), 1, "1g", 0, null,
                Duration.ofSeconds(90), workers), LaunchEnvironment.current());
    }

    /** A driver in this JVM on {@code cluster}; executors get the test classpath, flags and environment. */
    public static SparkSession sessionOn(StandaloneCluster cluster, int executorGpus, Path gpuScript) {
        return sessionOn(cluster, executorGpus, gpuScript, Map.of());
    }

    /** As {@link #sessionOn(StandaloneCluster, int, Path)} with further settings (they win over the defaults). */
    public static SparkSession sessionOn(StandaloneCluster cluster, int executorGpus, Path gpuScript,
                                         Map<String, String> extra) {
        LaunchEnvironment env = LaunchEnvironment.current();
        SparkSession.Builder b = SparkSession.builder().master(cluster.masterUrl()).appName("meft-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.memory", "768m")
                .config("spark.cores.max", "2")
                .config("spark.executor.extraClassPath", testClasspath())
                .config("spark.executor.extraJavaOptions", String.join(" ", env.jvmFlags())
                        + " -Dlog4j2.configurationFile=" + env.logConfig());
        for (Map.Entry<String, String> e : env.environment().entrySet()) {
            b.config("spark.executorEnv." + e.getKey(), e.getValue());
        }
        if (executorGpus > 0) {
            b.config("spark.executor.resource.gpu.amount", String.valueOf(executorGpus))
                    .config("spark.executor.resource.gpu.discoveryScript", gpuScript.toString());
        }
        Sessions.DEFAULTS.forEach(b::config);
        extra.forEach(b::config);
        return b.getOrCreate();
    }
}
