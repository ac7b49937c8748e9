package org.meftspark.notebook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.meftspark.spark.LaunchEnvironment;

/**
 * Writes the Jupyter kernel spec that runs {@code notebooks/}: a Java kernel
 * (rapaio-jupyter-kernel, from Maven Central) started with the project's JVM flags
 * ({@code .mvn/jvm.config}) and environment ({@code conf/runtime.env}), plus the folder of jars the
 * notebooks add with {@code %jar}. Its installer is interactive and writes into the user's home, so
 * the spec is written here instead, into a folder that goes on {@code JUPYTER_PATH}
 * ({@code bin/meft-notebook} does that):
 * <pre>
 *   DIR/kernels/meft-java/kernel.json   the kernel's command line and environment
 *   DIR/lib/                            the jars ({@link NotebookLibrary}); MEFT_NOTEBOOK_LIB names it
 *   DIR/kernel.log                      Spark's and meft-spark's log4j2 output from the kernel
 * </pre>
 */
public final class KernelSpec {
    /** The kernel name every notebook's metadata refers to. */
    public static final String NAME = "meft-java";
    /** The environment variable a notebook's first cell reads: {@code %jar \{System.getenv("MEFT_NOTEBOOK_LIB")}}. */
    public static final String LIB_VARIABLE = "MEFT_NOTEBOOK_LIB";
    /** Enough for Spark local[1] over an evaluation's Parquet and a few charts. */
    static final String HEAP = "-Xmx2g";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private KernelSpec() {
    }

    /**
     * Writes the spec and the jar folder under {@code dir}.
     *
     * @param kernelJar the rapaio-jupyter-kernel jar (Maven copies it to spark-jobs/target/jupyter-kernel/)
     * @param classpath what the notebooks may use: the class path of bin/meft
     * @return the kernel.json written
     */
    public static Path write(Path dir, Path kernelJar, List<Path> classpath, LaunchEnvironment env) throws IOException {
        if (!Files.isRegularFile(kernelJar)) {
            throw new IllegalArgumentException("kernel jar " + kernelJar + " not found; build the project "
                    + "(mvn -DskipTests package) to copy it there");
        }
        Path root = env.root();
        Path lib = dir.resolve("lib");
        NotebookLibrary.write(lib, classpath);
        Path conf = root.resolve("conf/notebook-kernel");

        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(env.jvmFlags());
        argv.add(HEAP);
        // A kernel lives for one notebook over small outputs: the C2 compiler's work did not pay back
        // there (the evaluation notebook took 34 s of CPU with it, 22 s without, on 2 cores).
        argv.add("-XX:TieredStopAtLevel=1");
        argv.add("-Djava.awt.headless=true"); // figures are drawn into images; CI machines have no display
        argv.add("-Dlog4j2.configurationFile=" + conf.resolve("log4j2.properties"));
        argv.add("-Dmeft.notebook.log=" + dir.toAbsolutePath().resolve("kernel.log"));
        argv.add("-Dmeft.project.root=" + root);
        // conf first: its logging.properties replaces the kernel jar's (see that file).
        argv.addAll(List.of("-cp", conf + File.pathSeparator + kernelJar.toAbsolutePath(),
                "org.rapaio.jupyter.kernel.MainApp", "{connection_file}"));

        Map<String, String> environment = new LinkedHashMap<>(env.environment());
        environment.put(LIB_VARIABLE, lib.toAbsolutePath().toString());
        environment.put("RJK_TIMEOUT_MILLIS", "-1"); // no per-cell limit in the kernel; nbconvert has its own

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", "Java (meft-spark)");
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("env", environment);
        Path json = dir.resolve("kernels").resolve(NAME).resolve("kernel.json");
        Files.createDirectories(json.getParent());
        Files.writeString(json, JSON.writeValueAsString(spec));
        return json;
    }

    /**
     * {@code KernelSpec DIR KERNEL_JAR}: writes the spec for the class path this JVM runs with (bin/meft-notebook
     * starts it with bin/meft's).
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: KernelSpec DIR KERNEL_JAR");
            System.exit(2);
        }
        List<Path> classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isEmpty()).map(Path::of).toList();
        write(Path.of(args[0]), Path.of(args[1]), classpath, LaunchEnvironment.current());
    }
}
