package org.meftspark.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.spark.StandaloneCluster;
import org.meftspark.spark.TestSupport;
import org.meftspark.synth.SampleDatasets;

/**
 * The whole pipeline on a standalone master and worker on 127.0.0.1 whose worker offers one
 * (fake) GPU, with the shards on a MiniDFSCluster: training is scheduled as a GPU barrier stage
 * (and, without CUDA here, trains on the CPU because training.cuda_required is false), and the
 * run directory ends up complete; a second run reuses every stage.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PipelineOnClusterTest {

    @TempDir
    static Path dir;
    static MiniDFSCluster hdfs;
    static StandaloneCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        hdfs = new MiniDFSCluster.Builder(new Configuration(), dir.resolve("hdfs").toFile()).numDataNodes(1).build();
        hdfs.waitActive();
        cluster = TestSupport.startCluster(dir.resolve("cluster"), 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    @Test
    void runDirectoryIsCompleteAndASecondRunReusesEveryStage() throws Exception {
        SampleDatasets.Files4 data = SampleDatasets.write(dir.resolve("data"), 3, 10);
        String shards = hdfs.getURI() + "/meft/shards";
        Path runs = dir.resolve("runs");
        // The run directory is local (file: URI, as a user on one machine would have it); the shards live on HDFS.
        String text = PipelineFixtures.config(data, shards, runs.toUri().toString(), "cluster-run",
                "device: gpu, cuda_required: false, max_steps: 8", "task_gpus: 1");
        Path run = runs.resolve("cluster-run");
        try (SparkSession spark = TestSupport.sessionOn(cluster, 1, cluster.workDir().resolve("fake-gpu-discovery.sh"))) {
            Pipeline.Result first = Pipeline.run(spark, text, "pipeline.yaml", List.of(), System.err);
            assertThat(first.skipped()).isEmpty();
            for (String f : List.of("config.yaml", "run.json", "shards.json", "metrics.json", "report.html",
                    "variants/meft/train/metrics.jsonl", "variants/meft/train/DONE.json",
                    "variants/meft/train/checkpoints/latest", "variants/meft/eval/metrics.json",
                    "variants/meft/eval/report.html")) {
                assertThat(run.resolve(f)).as(f).isNotEmptyFile();
            }
            assertThat(Files.readString(run.resolve("variants/meft/train/DONE.json"))).contains("Spark GPU 0");
            // The random tiny base answers nothing right: the run's report shows the variant's wrong answers
            // (issue 16 item 8: it said "None given"), as the variant's own report does.
            assertThat(Files.readString(run.resolve("report.html"))).contains("<h3>nq_open · meft").doesNotContain("None given");
            assertThat(Files.readString(run.resolve("metrics.json"))).contains("\"meft\"").contains("nq_open");
            assertThat(first.summaries().get("meft").results()).isNotEmpty();
            FileSystem fs = hdfs.getFileSystem();
            assertThat(fs.exists(new org.apache.hadoop.fs.Path("/meft/shards/manifest.json"))).isTrue();

            Pipeline.Result second = Pipeline.run(spark, text, "pipeline.yaml", List.of(), System.err);
            assertThat(second.skipped()).containsExactly("preprocess", "train/meft", "evaluate/meft");
            assertThat(second.table()).isEqualTo(first.table());
            assertThat(Files.readString(run.resolve("report.html"))).as("a reused evaluation's sample too")
                    .contains("<h3>nq_open · meft");
        }
    }
}
