package org.meftspark.jobs.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
import org.meftspark.pretrain.Pretrainer;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.Sessions;
import org.meftspark.train.TrainingListener;

/**
 * The study on a base that was pretrained (issue 15 item 5), at a tiny size: the facts come from the
 * base's W1, every trained method runs at every learning rate of the grid, the reported row of each
 * method is the one with the best validation EM, and only reported rows pay for the extraction and
 * forgetting evaluations.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PretrainedStudyTest {

    @Test
    void theGridIsChosenOnValidationAndTheReportedRowsMeasureExtractionAndForgetting(@TempDir Path dir) throws Exception {
        Path root = LaunchEnvironment.current().root();
        String recipe = """
                run: {name: tiny-base, dir: unused, seed: 5}
                pretrain: {world_seed: 3, base_towns: 6, passage_only_towns: 2, passages_per_town: 2, math_problems: 2,
                           tool_queries: 2, architecture: "%s", init_seed: 9, init_std: 0.1}
                data: {max_length: 768, templates: "%s"}
                model: {tokenizer: byte}
                adapter: {method: full}
                training: {device: cpu, learning_rate: 0.003, micro_batch_size: 8, max_steps: 20, warmup_steps: 2,
                           checkpoint_every: 0, length_grouping: true}
                """.formatted(root.resolve("conf/models/tiny-llama.json"), root.resolve("conf/templates"));
        Path base = dir.resolve("base");
        Pretrainer.run(RunConfigLoader.parse(recipe, "tiny-base", List.of()), dir.resolve("pretrain"), base,
                TrainingListener.NONE);

        Path conf = root.resolve("conf/study.yaml");
        String text = Files.readString(conf);
        List<String> overrides = List.of("run.dir=" + dir, "model.path=" + base, "study.device_budget_mb=1.75", "study.facts=[10]",
                "study.methods=[none, lora, meft]", "study.learning_rates=[0.003, 0.03]", "study.probe_examples=5",
                "study.seen_examples=0", "training.epochs=1", "training.micro_batch_size=8", "training.warmup_steps=0",
                "evaluation.max_examples=6", "evaluation.bootstrap_samples=20", "evaluation.max_new_tokens=6");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (SparkSession spark = Sessions.create("pretrained-study-test", "local[2]", Map.of())) {
            Study.Result r = Study.run(spark, text, conf.toString(), overrides, new PrintStream(log, true, StandardCharsets.UTF_8));
            assertThat(r.rows()).extracting(StudyRow::variant)
                    .containsExactly("zero_shot", "lora-lr0p003", "lora-lr0p03", "meft-lr0p003", "meft-lr0p03");
            for (String method : List.of("lora", "meft")) {
                List<StudyRow> grid = r.rows().stream().filter(x -> x.method().equals(method)).toList();
                assertThat(grid).extracting(StudyRow::learningRate).containsExactly(0.003, 0.03);
                assertThat(grid).filteredOn(StudyRow::chosen).hasSize(1);
                StudyRow chosen = grid.stream().filter(StudyRow::chosen).findFirst().orElseThrow();
                for (StudyRow x : grid) {
                    assertThat(x.validationEm()).isBetween(0.0, 1.0);
                    assertThat(chosen.validationEm()).isGreaterThanOrEqualTo(x.validationEm());
                    assertThat(Double.isNaN(x.extractionEm())).as("extraction measured only for the reported row")
                            .isEqualTo(!x.chosen());
                    assertThat(Double.isNaN(x.w0Em())).isEqualTo(!x.chosen());
                }
                assertThat(grid.get(0).targetTokens()).isEqualTo(grid.get(1).targetTokens()).isPositive();
            }
            StudyRow zero = r.rows().get(0);
            assertThat(zero.chosen()).isTrue();
            assertThat(zero.w0Em()).isBetween(0.0, 1.0);
            assertThat(zero.extractionEm()).isBetween(0.0, 1.0);
            for (String f : List.of("train", "validation", "heldout", "extraction", "w0")) {
                assertThat(dir.resolve("study/data/facts-10/" + f + ".jsonl")).isNotEmptyFile();
            }
            assertThat(Files.readString(r.root().resolve("results.md"))).contains("| 10 | meft-lr0p03 |");
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("W1 facts");
        }
    }
}
