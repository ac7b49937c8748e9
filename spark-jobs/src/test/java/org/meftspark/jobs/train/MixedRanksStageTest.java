package org.meftspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.spark.Sessions;
import org.meftspark.synth.SampleDatasets;

/**
 * A sweep whose variants train on different numbers of ranks shares one barrier stage: every task must
 * take part in the stage's all-gather, or the others wait forever. Found by running the quickstart's sweep
 * (zero-shot and MEFT) with data_parallel 2, which hung until this was fixed.
 */
class MixedRanksStageTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aZeroShotVariantBesideATwoRankVariantDoesNotHangTheStage() throws Exception {
        SampleDatasets.Files4 data = SampleDatasets.write(dir.resolve("data"), 3, 10);
        String yaml = """
                run: {name: mixed, dir: "%s", seed: 5}
                data:
                  inputs:
                    - {dataset: nq_open, path: "%s", split: train}
                    - {dataset: nq_open, path: "%s", split: dev}
                  shards: "%s"
                  templates: "%s"
                  max_length: 128
                  contamination_check: false
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                adapter: {method: meft, neurons: 128, top_k: 4, n_probe: 2, union_cap: 128}
                training: {learning_rate: 0.01, micro_batch_size: 2, gradient_accumulation: 1, data_parallel: 2,
                           max_steps: 2, checkpoint_every: 2, collective_timeout_s: 60}
                """.formatted(dir.resolve("runs"), data.nqTrain(), data.nqDev(), dir.resolve("shards"),
                Path.of(System.getProperty("meft.project.root", "..")).resolve("conf/templates"));
        RunConfig meft = RunConfigLoader.parse(yaml, "mixed", List.of());
        RunConfig none = RunConfigLoader.parse(yaml, "mixed", List.of("adapter.method=none"));
        try (SparkSession spark = Sessions.create("mixed-ranks-test", "local[3]", Map.of())) {
            Preprocess.run(spark, meft);
            List<TrainOutcome> out = Train.run(spark, List.of(new RunVariant("zero_shot", none, List.of()),
                    new RunVariant("meft", meft, List.of())));
            assertThat(out).extracting(TrainOutcome::variant, TrainOutcome::ranks, TrainOutcome::stepsDone)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("zero_shot", 1, 0L),
                            org.assertj.core.groups.Tuple.tuple("meft", 2, 2L));
        }
    }
}
