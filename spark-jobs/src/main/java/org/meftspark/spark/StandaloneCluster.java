package org.meftspark.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone master and one or more workers on 127.0.0.x, started as child JVMs from
 * the same jars as this process (no Spark distribution needed). The worker can
 * advertise GPUs through a discovery script, which is how GPU scheduling is tested
 * on a machine without one.
 *
 * <p>Spark's launcher insists on a {@code SPARK_HOME} with a {@code RELEASE} file and a
 * {@code jars/} folder (platform-notes.md); an empty one is created under the work
 * directory, and executors get the real classpath through
 * {@code spark.executor.extraClassPath}.
 */
public final class StandaloneCluster implements AutoCloseable {

    private final Path workDir;
    private final Process master;
    private final List<Process> workers;
    private final int masterPort;
    private final int masterUiPort;

    /**
     * What to start.
     *
     * @param workDir        folder for SPARK_HOME, logs and the worker's executors
     * @param classpath      classpath of the master and worker JVMs
     * @param cores          cores each worker offers
     * @param memory         memory each worker offers, Spark syntax (e.g. 2g)
     * @param gpus           GPUs each worker offers (0 for none)
     * @param gpuDiscovery   discovery script reporting the worker's GPU addresses (needed when gpus > 0)
     * @param startupTimeout how long master and workers may take to come up
     * @param workers        workers to start; worker i listens on 127.0.0.(i+1), a host of its own to the
     *                       scheduler (speculation never runs a task's copy on the host of its first attempt)
     */
    public record Spec(Path workDir, String classpath, int cores, String memory, int gpus, Path gpuDiscovery,
                       Duration startupTimeout, int workers) {
        /** One worker. */
        public Spec(Path workDir, String classpath, int cores, String memory, int gpus, Path gpuDiscovery,
                    Duration startupTimeout) {
            this(workDir, classpath, cores, memory, gpus, gpuDiscovery, startupTimeout, 1);
        }

        public Spec {
            if (workers < 1 || workers > 254) {
                throw new IllegalArgumentException("workers must be in [1, 254], got " + workers);
            }
        }
    }

    private StandaloneCluster(Path workDir, Process master, List<Process> workers, int masterPort, int masterUiPort) {
        this.workDir = workDir;
        this.master = master;
        this.workers = workers;
        this.masterPort = masterPort;
        this.masterUiPort = masterUiPort;
    }

    /** Starts master and workers and waits until every worker is registered; fails with their logs otherwise. */
    public static StandaloneCluster start(Spec spec, LaunchEnvironment env) {
        Process master = null;
        List<Process> workers = new ArrayList<>();
        try {
            Path sparkHome = sparkHome(spec.workDir());
            int masterPort = freePort();
            int masterUi = freePort();
            List<String> masterCmd = java(env, spec.classpath(), "512m", List.of());
            masterCmd.addAll(List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(masterUi)));
            master = launch(masterCmd, env, sparkHome, spec.workDir().resolve("master.log"), null);
            long deadline = System.nanoTime() + spec.startupTimeout().toNanos();
            awaitJson(masterUi, "\"status\"\\s*:\\s*\"ALIVE\"", deadline, master, spec.workDir().resolve("master.log"));

            List<String> props = new ArrayList<>();
            if (spec.gpus() > 0) {
                props.add("-Dspark.worker.resource.gpu.amount=" + spec.gpus());
                props.add("-Dspark.worker.resource.gpu.discoveryScript=" + spec.gpuDiscovery().toAbsolutePath());
            }
            for (int i = 0; i < spec.workers(); i++) {
                String host = "127.0.0." + (i + 1);
                String name = i == 0 ? "worker" : "worker-" + i;
                List<String> workerCmd = java(env, spec.classpath(), "512m", props);
                workerCmd.addAll(List.of("org.apache.spark.deploy.worker.Worker", "--host", host,
                        "--webui-port", String.valueOf(freePort()), "--cores", String.valueOf(spec.cores()),
                        "--memory", spec.memory(), "--work-dir", spec.workDir().resolve(name).toString(),
                        "spark://127.0.0.1:" + masterPort));
                Path log = spec.workDir().resolve(name + ".log");
                Process worker = launch(workerCmd, env, sparkHome, log, host);
                workers.add(worker);
                awaitJson(masterUi, "\"aliveworkers\"\\s*:\\s*([" + (i + 1) + "-9]|[1-9][0-9])", deadline, worker, log);
            }
            return new StandaloneCluster(spec.workDir(), master, List.copyOf(workers), masterPort, masterUi);
        } catch (RuntimeException | IOException e) {
            workers.forEach(StandaloneCluster::stop);
            stop(master);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot start the standalone cluster in " + spec.workDir(), io);
            }
            throw (RuntimeException) e;
        }
    }

    /** spark://127.0.0.1:PORT */
    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The master's JSON status page (workers, their resources, applications). */
    public String status() {
        return fetch(masterUiPort);
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public void close() {
        workers.forEach(StandaloneCluster::stop);
        stop(master);
    }

    // ------------------------------------------------------------------------------

    private static Path sparkHome(Path workDir) throws IOException {
        Path home = workDir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.writeString(home.resolve("RELEASE"), "Spark (jars from Maven, started by meft-spark)\n");
        return home;
    }

    private static List<String> java(LaunchEnvironment env, String classpath, String heap, List<String> props) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(env.jvmFlags());
        cmd.add("-Xmx" + heap);
        cmd.add("-Dlog4j2.configurationFile=" + env.logConfig());
        cmd.addAll(props);
        cmd.add("-cp");
        cmd.add(classpath);
        return cmd;
    }

    /** @param localIp the address the process and its executors bind to (null: conf/runtime.env's) */
    private static Process launch(List<String> cmd, LaunchEnvironment env, Path sparkHome, Path log, String localIp)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> e = pb.environment();
        e.putAll(env.environment());
        e.put("SPARK_HOME", sparkHome.toString());
        if (localIp != null) {
            e.put("SPARK_LOCAL_IP", localIp);
        }
        return pb.start();
    }

    private static void awaitJson(int uiPort, String regex, long deadline, Process process, Path log) {
        Pattern p = Pattern.compile(regex);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("standalone process exited with code " + process.exitValue()
                        + "; its log " + log + " ends with:\n" + tail(log));
            }
            try {
                Matcher m = p.matcher(fetch(uiPort));
                if (m.find()) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // The web UI is not listening yet.
            }
            sleep(200);
        }
        throw new IllegalStateException("standalone cluster not ready in time (waiting for " + regex + "); " + log
                + " ends with:\n" + tail(log));
    }

    private static String fetch(int port) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/"))
                    .timeout(Duration.ofSeconds(5)).build();
            return client.send(req, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM (Spark's shutdown hooks stop executors), then SIGKILL for anything left. */
    private static void stop(Process p) {
        if (p == null) {
            return;
        }
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
