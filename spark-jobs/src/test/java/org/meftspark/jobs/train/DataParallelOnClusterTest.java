package org.meftspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.spark.StandaloneCluster;
import org.meftspark.spark.TestSupport;
import org.meftspark.synth.SampleDatasets;
import org.meftspark.train.Checkpoints;

/**
 * Issue 17 on a standalone master and two one-core workers on 127.0.0.x, shards and run directories on a
 * MiniDFSCluster: a variant with {@code training.data_parallel: 2} trains as one barrier stage of two
 * executors joined by c10d over TCP, and ends where the one-rank run with the same global batch ends;
 * a lost executor fails the stage, Spark retries it, and the ranks resume from the last published
 * checkpoint; a rank that stops answering fails the job within the collective timeout, named.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DataParallelOnClusterTest {

    @TempDir
    static Path dir;
    static MiniDFSCluster hdfs;
    static StandaloneCluster cluster;
    static SparkSession spark;
    static String shards;
    static SampleDatasets.Files4 data;

    @BeforeAll
    static void start() throws Exception {
        hdfs = new MiniDFSCluster.Builder(new Configuration(), dir.resolve("hdfs").toFile()).numDataNodes(1).build();
        hdfs.waitActive();
        cluster = TestSupport.startHosts(dir.resolve("cluster"), 2);
        // Two attempts per task and per stage (defaults 4): enough for a retry, quick to fail for good.
        spark = TestSupport.sessionOn(cluster, 0, null, Map.of("spark.cores.max", "2", "spark.task.maxFailures", "2",
                "spark.stage.maxConsecutiveAttempts", "2"));
        data = SampleDatasets.write(dir.resolve("data"), 3, 10);
        shards = hdfs.getURI() + "/meft/shards";
        Preprocess.run(spark, config("meft", 1, "", "prep"));
    }

    @AfterEach
    void clearHooks() {
        for (String k : List.of("meft.debug.train.halt", "meft.debug.train.halt.once", "meft.debug.train.stall",
                "meft.debug.train.stall.seconds")) {
            spark.sparkContext().hadoopConfiguration().unset(k);
        }
    }

    @AfterAll
    static void stop() {
        TestSupport.stopAnySession();
        if (cluster != null) {
            cluster.close();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    /** Eight steps of global batch 4 (micro-batch 2): one rank accumulates 2 micro-batches, two ranks 1 each. */
    static RunConfig config(String method, int ranks, String adapter, String name) {
        return config(method, ranks, adapter, name, 60);
    }

    static RunConfig config(String method, int ranks, String adapter, String name, int timeoutS) {
        String yaml = """
                run: {name: %s, dir: "%s", seed: 5}
                data:
                  inputs:
                    - {dataset: nq_open, path: "%s", split: train}
                    - {dataset: nq_open, path: "%s", split: dev}
                  shards: "%s"
                  templates: "%s"
                  max_length: 128
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                adapter: {method: %s, neurons: 256, top_k: 8, n_probe: 2, union_cap: 256, lora_dropout: 0.0 %s}
                training: {learning_rate: 0.01, micro_batch_size: 2, gradient_accumulation: %d, data_parallel: %d,
                           max_steps: 8, checkpoint_every: 2, lr_schedule: constant, collective_timeout_s: %d}
                """.formatted(name, hdfs.getURI() + "/meft/runs", data.nqTrain(), data.nqDev(), shards,
                Path.of(System.getProperty("meft.project.root", "..")).resolve("conf/templates"), method, adapter,
                2 / ranks, ranks, timeoutS);
        return RunConfigLoader.parse(yaml, "data-parallel-test", List.of());
    }

    private static TrainOutcome train(RunConfig c) {
        List<TrainOutcome> out = Train.run(spark, List.of(new RunVariant("v", c, List.of())));
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    /** The final checkpoint's tensors of a run on HDFS, as doubles by name. */
    static Map<String, double[]> finalState(RunConfig c) throws Exception {
        FileSystem fs = hdfs.getFileSystem();
        Path local = Files.createTempDirectory(dir, "copy").resolve("train");
        FileUtil.copy(fs, new org.apache.hadoop.fs.Path(Train.trainDir(c, "v")), local.toFile(), false, fs.getConf());
        Map<String, double[]> out = new LinkedHashMap<>();
        Checkpoints.readTensors(Checkpoints.latest(local).orElseThrow(), m -> {
            for (Map.Entry<String, Tensor> e : m.entrySet()) {
                Tensor t = e.getValue().to(ScalarType.Double).contiguous().reshape(-1);
                double[] v = new double[(int) t.numel()];
                t.data_ptr_double().get(v);
                out.put(e.getKey(), v);
            }
        });
        return out;
    }

    static void assertClose(Map<String, double[]> got, Map<String, double[]> want) {
        assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
        for (String k : want.keySet()) {
            double scale = 1e-12;
            double diff = 0;
            for (int i = 0; i < want.get(k).length; i++) {
                scale = Math.max(scale, Math.abs(want.get(k)[i]));
                diff = Math.max(diff, Math.abs(got.get(k)[i] - want.get(k)[i]));
            }
            assertThat(diff / scale).as(k).isLessThanOrEqualTo(1e-5);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"meft, key_experts", "meft, exact", "lora, -", "parallel_adapter, -"})
    void twoExecutorsEndWhereOneRankWithTheSameGlobalBatchEnds(String method, String routing) throws Exception {
        String adapter = routing.equals("-") ? "" : ", routing: " + routing;
        RunConfig one = config(method, 1, adapter, method + "-" + routing + "-1");
        RunConfig two = config(method, 2, adapter, method + "-" + routing + "-2");
        TrainOutcome a = train(one);
        TrainOutcome b = train(two);
        assertThat(a.ranks()).isEqualTo(1);
        assertThat(a.stateSha256()).isNull();
        assertThat(b.ranks()).isEqualTo(2);
        assertThat(b.stepsDone()).isEqualTo(8);
        assertThat(b.stateSha256()).as("both ranks' replicas hash alike (Train.run compares them)").hasSize(64);
        assertThat(b.device()).contains("x 2 ranks");
        assertClose(finalState(two), finalState(one));
    }

    @Test
    void aLostExecutorFailsTheStageWhichResumesFromTheLastCheckpointAndEndsAsAnUninterruptedRun() throws Exception {
        RunConfig reference = config("meft", 2, "", "uninterrupted");
        train(reference);
        Path marker = dir.resolve("halted-" + System.nanoTime());
        Configuration h = spark.sparkContext().hadoopConfiguration();
        h.set("meft.debug.train.halt", "1@3"); // rank 1's executor dies after step 3; the last checkpoint is step 2's
        h.set("meft.debug.train.halt.once", marker.toString());
        RunConfig killed = config("meft", 2, "", "killed");
        TrainOutcome o = train(killed);
        assertThat(marker).as("an executor halted").exists();
        assertThat(o.resumedAt()).as("the retried stage resumed from the checkpoint rank 0 published").isEqualTo(2);
        assertThat(o.stepsDone()).isEqualTo(8);
        assertClose(finalState(killed), finalState(reference));
    }

    @ParameterizedTest(name = "{0} -> {1} ranks")
    @CsvSource({"2, 1", "1, 2"})
    void aRunResumesOnAnotherNumberOfExecutorsForTheSameGlobalBatch(int before, int after) throws Exception {
        String name = "resume-" + before + "-" + after;
        RunConfig reference = config("meft", 1, "", name + "-reference");
        train(reference);
        // Every attempt of the first run loses rank 0's executor after step 3, so the run fails for good with
        // step 2's checkpoint published; the second run resumes from it with the other number of ranks.
        spark.sparkContext().hadoopConfiguration().set("meft.debug.train.halt", "0@3");
        assertThatThrownBy(() -> train(config("meft", before, "", name))).hasMessageContaining("failed");
        clearHooks();
        TrainOutcome o = train(config("meft", after, "", name));
        assertThat(o.resumedAt()).isEqualTo(2);
        assertThat(o.ranks()).isEqualTo(after);
        assertClose(finalState(config("meft", after, "", name)), finalState(reference));
    }

    @Test
    void aRankThatStopsAnsweringFailsTheJobWithinTheTimeoutNamingIt() {
        Configuration h = spark.sparkContext().hadoopConfiguration();
        h.set("meft.debug.train.stall", "1@2");
        h.setLong("meft.debug.train.stall.seconds", 120);
        RunConfig c = config("parallel_adapter", 2, "", "stalled", 3);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> train(c)).hasMessageContaining("rank 1 stopped answering");
        // Every one of the stage's 4 attempts stalls: about 4 x (3 s timeout + restart), far below the 120 s stall.
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(100);
    }
}
