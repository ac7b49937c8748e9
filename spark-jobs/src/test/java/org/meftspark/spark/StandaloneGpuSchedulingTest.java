package org.meftspark.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.jobs.ClusterCheckJob;
import org.meftspark.jobs.ClusterCheckJob.TaskReport;

/**
 * A real standalone master and worker on 127.0.0.1 whose worker advertises one
 * (fake) GPU: a barrier stage with a task-level GPU ResourceProfile is scheduled,
 * and the task sees the address in TaskContext.resources().
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StandaloneGpuSchedulingTest {

    @TempDir
    static Path dir;
    static StandaloneCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestSupport.startCluster(dir, 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void workerAdvertisesTheDiscoveredGpu() {
        assertThat(cluster.status()).contains("\"aliveworkers\"").containsPattern("\"gpu\"");
    }

    @Test
    void barrierStageWithTaskGpuProfileSeesTheAssignedAddress() throws Exception {
        try (SparkSession spark = TestSupport.sessionOn(cluster, 1, cluster.workDir().resolve("fake-gpu-discovery.sh"))) {
            List<TaskReport> reports = ClusterCheckJob.check(spark, 1, 1);
            assertThat(reports).singleElement().satisfies(r -> {
                assertThat(r.gpus()).containsExactly("0");
                assertThat(r.executor()).isNotEqualTo("driver");
                assertThat(r.libtorch()).startsWith("2.10");
            });
        }
    }

    /** The user's path: bin/meft-submit, no Spark distribution, the standalone master on 127.0.0.1. */
    @Test
    void meftSubmitRunsTheGpuClusterCheckOnTheStandaloneMaster() throws Exception {
        List<String> out = Launchers.run(List.of("bin/meft-submit", "--master", cluster.masterUrl(),
                "--conf", "spark.executor.resource.gpu.amount=1",
                "--conf", "spark.executor.resource.gpu.discoveryScript="
                        + cluster.workDir().resolve("fake-gpu-discovery.sh"),
                "--conf", "spark.executor.memory=768m", "--conf", "spark.cores.max=2",
                "--class", "org.meftspark.jobs.ClusterCheckJob", "--", "--gpus", "1"), 0);
        assertThat(out).anyMatch(l -> l.startsWith("task 0 ") && l.endsWith("gpus [0]"))
                .contains("cluster check passed: 1 task(s) on " + cluster.masterUrl());
    }
}
