package org.meftspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.spark.GpuScheduling;
import org.meftspark.spark.Sessions;
import org.meftspark.synth.SampleDatasets;

/** A sweep trains its variants as parallel tasks, each in its own directory; GPU runs in local mode are refused. */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TrainSweepTest {

    @Test
    void variantsTrainInParallelTasksEachInItsOwnDirectory(@TempDir Path dir) throws Exception {
        SampleDatasets.Files4 data = SampleDatasets.write(dir.resolve("data"), 2, 5);
        String text = """
                run:
                  name: sweep
                  dir: "%s"
                  sweep:
                    - {name: meft-small, set: [adapter.method=meft, adapter.neurons=256]}
                    - {name: lora, set: [adapter.method=lora]}
                data:
                  inputs: [{dataset: gsm8k, path: "%s", split: train}]
                  shards: "%s"
                  templates: "%s"
                  max_length: 384  # its GSM8K rows are about 356 byte tokens, never cut
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                adapter: {top_k: 8, n_probe: 2, union_cap: 128}
                training: {device: cpu, max_steps: 3, micro_batch_size: 2}
                """.formatted(dir.resolve("runs"), data.gsmTrain(), dir.resolve("shards"),
                Path.of(System.getProperty("meft.project.root", "..")).resolve("conf/templates"));
        List<RunVariant> variants = RunConfigLoader.variants(text, "sweep.yaml", List.of());
        try (SparkSession spark = Sessions.create("sweep-test", "local[2]", Map.of())) {
            Preprocess.run(spark, variants.get(0).config());
            List<TrainOutcome> outcomes = Train.run(spark, variants);
            assertThat(outcomes).extracting(TrainOutcome::variant).containsExactly("meft-small", "lora");
            assertThat(outcomes).allSatisfy(o -> assertThat(o.stepsDone()).isEqualTo(3));
            for (String v : List.of("meft-small", "lora")) {
                Path train = dir.resolve("runs/sweep/variants/" + v + "/train");
                assertThat(train.resolve("metrics.jsonl")).isNotEmptyFile();
                assertThat(Files.readString(train.resolve("checkpoints/latest"))).contains("step-00000003");
            }

            // A GPU sweep in local mode is refused before anything runs (Spark would hang).
            List<RunVariant> gpu = RunConfigLoader.variants(text, "sweep.yaml", List.of("training.device=gpu"));
            assertThatThrownBy(() -> Train.run(spark, gpu))
                    .isInstanceOf(GpuScheduling.UnschedulableException.class).hasMessageContaining("local mode");
        }
    }
}
