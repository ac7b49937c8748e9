package org.meftspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.StandaloneCluster;
import org.meftspark.spark.TestSupport;
import org.meftspark.synth.SampleDatasets;

/**
 * Issue 17 item 6, rehearsed without a GPU: a worker that offers two (fake) GPUs, a variant with
 * {@code training.device: gpu} and {@code data_parallel: 2}. The two ranks are scheduled as one barrier stage
 * under the task GPU profile (one GPU each), find each other, and train together; without CUDA they train on
 * the CPU ({@code cuda_required: false}) and so over Gloo, where a GPU cluster would take NCCL: the one
 * difference between the two paths.
 */
@Tag("integration")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DataParallelGpuSchedulingTest {
    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        Path script = dir.resolve("two-fake-gpus.sh");
        Files.writeString(script, "#!/usr/bin/env bash\necho '{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path work = Files.createDirectories(dir.resolve("cluster"));
        cluster = StandaloneCluster.start(new StandaloneCluster.Spec(work, TestSupport.testClasspath(), 2, "1g", 2, script,
                Duration.ofSeconds(60)), LaunchEnvironment.current());
        spark = TestSupport.sessionOn(cluster, 2, script);
    }

    @AfterAll
    static void stop() {
        TestSupport.stopAnySession();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void twoGpuRanksAreScheduledTogetherAndTrainOneRun() throws Exception {
        SampleDatasets.Files4 data = SampleDatasets.write(dir.resolve("data"), 3, 10);
        String yaml = """
                run: {name: gpu-dp, dir: "%s", seed: 5}
                data:
                  inputs:
                    - {dataset: nq_open, path: "%s", split: train}
                    - {dataset: nq_open, path: "%s", split: dev}
                  shards: "%s"
                  templates: "%s"
                  max_length: 128
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                adapter: {method: meft, neurons: 256, top_k: 8, n_probe: 2, union_cap: 256}
                training: {device: gpu, cuda_required: false, learning_rate: 0.01, micro_batch_size: 2,
                           gradient_accumulation: 1, data_parallel: 2, max_steps: 4, checkpoint_every: 2}
                spark: {task_gpus: 1}
                """.formatted(dir.resolve("runs"), data.nqTrain(), data.nqDev(), dir.resolve("shards"),
                Path.of(System.getProperty("meft.project.root", "..")).resolve("conf/templates"));
        RunConfig c = RunConfigLoader.parse(yaml, "gpu-dp", List.of());
        Preprocess.run(spark, c);
        List<TrainOutcome> out = Train.run(spark, List.of(new RunVariant("v", c, List.of())));
        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.ranks()).isEqualTo(2);
            assertThat(o.stepsDone()).isEqualTo(4);
            assertThat(o.device()).contains("Spark GPU").contains("x 2 ranks");
            assertThat(o.stateSha256()).hasSize(64);
        });
    }
}
