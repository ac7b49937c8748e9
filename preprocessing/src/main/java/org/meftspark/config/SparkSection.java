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
 */
public record SparkSection(String master, int partitions, int taskGpus, Map<String, String> conf) implements java.io.Serializable {

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

    public static final Section<SparkSection> SECTION = new Section<>("spark", "How the jobs run on Spark.",
            List.of(MASTER, PARTITIONS, TASK_GPUS, CONF),
            v -> new SparkSection(v.get(MASTER), v.get(PARTITIONS), v.get(TASK_GPUS), v.get(CONF)));

    /** True for masters that cannot schedule GPU resources (platform-notes: they error or hang). */
    public boolean isLocalMode() {
        return master.equals("local") || master.startsWith("local[");
    }
}
