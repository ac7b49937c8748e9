package org.meftspark.spark;

import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** The GPU addresses Spark assigned to the running task (inside a task only). */
public final class TaskGpus {

    private TaskGpus() {
    }

    /** Addresses from {@code TaskContext.resources()}, empty when the task holds no GPU. */
    public static List<String> assigned() {
        TaskContext ctx = TaskContext.get();
        if (ctx == null) {
            throw new IllegalStateException("TaskGpus.assigned() is only meaningful inside a Spark task");
        }
        ResourceInformation info = ctx.resources().get(GpuScheduling.GPU).getOrElse(() -> null);
        return info == null ? List.of() : List.of(info.addresses());
    }
}
