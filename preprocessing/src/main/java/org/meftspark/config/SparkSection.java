package org.meftspark.config;

import java.util.List;
import java.util.Map;

/**
 * How the jobs run on Spark. Anything Spark itself understands goes in {@code conf};
 * a master given on the spark-submit command line wins over {@code master}.
 *
 * @param master       Spark master URL used when none is given by spark-submit
 * @param partitions   partitions of the preprocessing and evaluation stages; 0 lets Spark decide
 * @param taskGpus     GPUs each training task asks for when training.device is gpu
 * @param conf         extra Spark properties (spark.*)
 * @param allowCodeLoading whether {@code conf} may hold properties that make Spark load classes or run
 *                     programs ({@link #CODE_LOADING}); refused otherwise (issue 9, item 7)
 */
public record SparkSection(String master, int partitions, int taskGpus, Map<String, String> conf,
                           boolean allowCodeLoading) implements java.io.Serializable {

    /**
     * Spark properties that load code or run a program: extra jars and packages (downloaded at run time),
     * plugins, listeners and SQL extensions (classes Spark instantiates), JVM options and class or library
     * paths of the driver and executors (a {@code -javaagent} runs anything), GPU and other resource
     * discovery scripts (Spark runs them), and executor environment variables that the JVM or the dynamic
     * linker obey. A configuration from someone else could otherwise run code on every node; a user's own
     * configuration that needs one of them (the GPU example's discovery script) says so with
     * {@code spark.allow_code_loading: true}. A list, not a proof: Spark's properties are many, and these
     * are the ones documented to load or run code.
     */
    public static final java.util.regex.Pattern CODE_LOADING = java.util.regex.Pattern.compile(
            "spark\\.jars(\\..*)?|spark\\.submit\\.pyFiles|spark\\.(driver|executor)\\.(extraJavaOptions|defaultJavaOptions"
                    + "|extraClassPath|extraLibraryPath)|spark\\.plugins|spark\\.(driver|executor)\\.plugins"
                    + "|spark\\.extraListeners|spark\\.sql\\.(extensions|queryExecutionListeners)"
                    + "|spark\\.sql\\.streaming\\.streamingQueryListeners|spark\\.(driver|executor|worker)\\.resource\\..+\\.discoveryScript"
                    + "|spark\\.(executorEnv|yarn\\.appMasterEnv|kubernetes\\.driverEnv)\\.(LD_PRELOAD|LD_LIBRARY_PATH"
                    + "|JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS|CLASSPATH|JAVA_HOME|PATH)");

    /** Refuses code-loading properties unless allowed. */
    public SparkSection {
        conf = Map.copyOf(conf);
        if (!allowCodeLoading) {
            List<String> refused = conf.keySet().stream().filter(k -> CODE_LOADING.matcher(k).matches()).sorted().toList();
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("conf: " + String.join(", ", refused) + " make Spark load classes or "
                        + "run programs; refused so that a run configuration cannot run code by itself. If you trust this "
                        + "configuration like a script, set spark.allow_code_loading: true");
            }
        }
    }

    public static final Key<String> MASTER = Key.string("master", "local[*]",
            "local(\\[(\\*|[1-9][0-9]*)(,[0-9]+)?\\])?|local-cluster\\[.+\\]|spark://.+|yarn|k8s://.+",
            "local[N], local[*], local-cluster[...], spark://host:port, yarn or k8s://...",
            "Spark master used when spark-submit gives none.");
    public static final Key<Integer> PARTITIONS = Key.integer("partitions", 0, 0, 1 << 20,
            "Partitions of preprocessing and evaluation; 0 lets Spark decide.");
    public static final Key<Integer> TASK_GPUS = Key.integer("task_gpus", 1, 1, 64,
            "GPUs per training task under stage-level scheduling.");
    public static final Key<Map<String, String>> CONF = Key.stringMap("conf", "spark\\.[A-Za-z0-9._-]+",
            "spark.* property names", "Extra Spark properties passed to the session.");

    public static final Key<Boolean> ALLOW_CODE_LOADING = Key.bool("allow_code_loading", false,
            "Allow spark.conf properties that load classes or run programs (jars, plugins, listeners, extraJavaOptions, "
                    + "class paths, resource discovery scripts, LD_PRELOAD-like executor variables); refused otherwise.");

    public static final Section<SparkSection> SECTION = new Section<>("spark", "How the jobs run on Spark.",
            List.of(MASTER, PARTITIONS, TASK_GPUS, CONF, ALLOW_CODE_LOADING),
            v -> new SparkSection(v.get(MASTER), v.get(PARTITIONS), v.get(TASK_GPUS), v.get(CONF),
                    v.get(ALLOW_CODE_LOADING)));

    /** True for masters that cannot schedule GPU resources (platform-notes: they error or hang). */
    public boolean isLocalMode() {
        return master.equals("local") || master.startsWith("local[");
    }
}
