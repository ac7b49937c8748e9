package org.meftspark.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GpuSchedulingTest {

    private static SparkConf conf(String master, String... kv) {
        SparkConf c = new SparkConf(false).set("spark.master", master);
        for (int i = 0; i < kv.length; i += 2) {
            c.set(kv[i], kv[i + 1]);
        }
        return c;
    }

    @Test
    void localMastersAreRefusedWithWhatToChange() {
        for (String master : List.of("local", "local[2]", "local[*]", "local[4,2]")) {
            assertThatThrownBy(() -> GpuScheduling.requireGpuScheduling(
                    conf(master, "spark.executor.resource.gpu.amount", "1"), 1))
                    .isInstanceOf(GpuScheduling.UnschedulableException.class)
                    .hasMessageContaining("--master " + master)
                    .hasMessageContaining("training.device: cpu");
        }
    }

    @Test
    void executorsWithoutGpusAreRefused() {
        assertThatThrownBy(() -> GpuScheduling.requireGpuScheduling(conf("spark://127.0.0.1:7077"), 1))
                .hasMessageContaining("executors offer none")
                .hasMessageContaining("spark.executor.resource.gpu.amount=1");
        assertThatThrownBy(() -> GpuScheduling.requireGpuScheduling(
                conf("spark://h:7077", "spark.executor.resource.gpu.amount", "1"), 2))
                .hasMessageContaining("need 2 GPU(s) each but executors offer 1.0");
    }

    @Test
    void dynamicAllocationIsRefusedForBarrierStages() {
        assertThatThrownBy(() -> GpuScheduling.requireGpuScheduling(conf("yarn",
                "spark.executor.resource.gpu.amount", "1", "spark.dynamicAllocation.enabled", "true"), 1))
                .hasMessageContaining("spark.dynamicAllocation.enabled=false");
    }

    @Test
    void clusterWithGpusPasses() {
        GpuScheduling.requireGpuScheduling(conf("local-cluster[1,2,1024]", "spark.executor.resource.gpu.amount", "1"), 1);
        GpuScheduling.requireGpuScheduling(conf("k8s://https://api:6443", "spark.executor.resource.gpu.amount", "2"), 2);
    }

    /** A real local[2] session: the GPU stage is refused at once instead of hanging (platform-notes.md). */
    @Test
    @Tag("integration")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void gpuStageInLocalModeFailsFastInsteadOfHanging() throws Exception {
        try (SparkSession spark = Sessions.create("gpu-local-refusal", "local[2]",
                Map.of("spark.executor.resource.gpu.amount", "1"))) {
            JavaRDD<Integer> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(List.of(1, 2), 2);
            long start = System.nanoTime();
            assertThatThrownBy(() -> GpuScheduling.onGpus(rdd, 1, it -> List.of(TaskGpus.assigned()).iterator())
                    .collect())
                    .isInstanceOf(GpuScheduling.UnschedulableException.class)
                    .hasMessageContaining("local mode has no GPU scheduling");
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
            // The session is still usable: nothing was submitted.
            assertThat(rdd.count()).isEqualTo(2);
        }
    }
}
