package org.meftspark.jobs.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.Sessions;

/**
 * The shipped study configuration (conf/study.yaml) at a tiny size, through the real pipeline:
 * every method sized to the budget, the ledger agreeing with the sizing, the same tokens for
 * every method, and a second run that reuses everything.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StudyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aTinyStudyRunsEveryMethodUnderOneBudgetAndResumes(@TempDir Path dir) throws Exception {
        Path conf = LaunchEnvironment.current().root().resolve("conf/study.yaml");
        String text = Files.readString(conf);
        // The issue-8 study on the random tiny base (fast): the pretrained base's grid, validation and probes are
        // PretrainedStudyTest's.
        List<String> overrides = List.of("run.dir=" + dir, "model.path=embedded:tiny-llama", "study.device_budget_mb=1.75",
                "study.learning_rates=[]", "study.facts=[15, 30]", "training.epochs=1",
                "training.micro_batch_size=8", "training.warmup_steps=0", "evaluation.max_examples=6",
                "study.seen_examples=5", "evaluation.bootstrap_samples=20", "evaluation.max_new_tokens=6");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Study.Result first;
        try (SparkSession spark = Sessions.create("study-test", "local[2]", Map.of())) {
            first = Study.run(spark, text, conf.toString(), overrides, new PrintStream(log, true, StandardCharsets.UTF_8));
            assertThat(first.rows()).hasSize(10);
            List<JsonNode> rows = new ArrayList<>();
            for (String l : Files.readAllLines(first.root().resolve("results.jsonl"))) {
                rows.add(JSON.readTree(l));
            }
            assertThat(rows).hasSize(10);
            for (int facts : new int[] {15, 30}) {
                List<JsonNode> atN = rows.stream().filter(r -> r.get("facts").asInt() == facts).toList();
                assertThat(atN).extracting(r -> r.get("variant").asText())
                        .containsExactly("zero_shot", "lora", "parallel_adapter", "meft", "full");
                List<JsonNode> trained = atN.stream().filter(r -> !r.get("variant").asText().equals("zero_shot")).toList();
                long tokens = trained.get(0).get("targetTokens").asLong();
                assertThat(tokens).isPositive();
                for (JsonNode r : trained) {
                    assertThat(r.get("fits").asBoolean()).isTrue();
                    assertThat(r.get("targetTokens").asLong()).as("same tokens for %s", r.get("variant")).isEqualTo(tokens);
                    assertThat(r.get("ledgerPeakBytes").asLong()).as("ledger = sizing for %s", r.get("variant"))
                            .isEqualTo(r.get("predictedBytes").asLong());
                    assertThat(r.get("predictedBytes").asLong()).isLessThanOrEqualTo(r.get("budgetBytes").asLong());
                    assertThat(r.get("hostBytes").asLong() > 0).isEqualTo(r.get("variant").asText().equals("meft"));
                    assertThat(r.get("seenN").asLong()).isEqualTo(5);
                    assertThat(r.get("finalLoss").asDouble()).as("final loss of %s", r.get("variant")).isPositive();
                    assertThat(r.get("seenF1").asDouble()).isBetween(0.0, 1.0);
                }
                assertThat(atN.get(0).get("heldOutN").asLong()).isEqualTo(6);
                assertThat(atN.get(0).get("steps").asLong()).isZero();
            }
            // MEFT holds 16x the Parallel Adapter's neurons in the same device bytes
            JsonNode pa = rows.get(2), meft = rows.get(3);
            int paN = Integer.parseInt(pa.get("size").get(1).asText().split("=")[1]);
            assertThat(meft.get("size").get(1).asText()).isEqualTo("adapter.neurons=" + 16 * paN);
            JsonNode study = JSON.readTree(first.root().resolve("study.json").toFile());
            assertThat(study.get("versions").has("libtorch")).isTrue();
            assertThat(study.get("sizing")).hasSize(5);
            assertThat(Files.readString(first.root().resolve("results.md"))).contains("| 30 | meft |");

            // Again: every stage is found complete and reused, with the same results.
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            Study.Result second = Study.run(spark, text, conf.toString(), overrides,
                    new PrintStream(again, true, StandardCharsets.UTF_8));
            String log2 = again.toString(StandardCharsets.UTF_8);
            assertThat(log2).contains("preprocess: skipped").contains("train meft: skipped")
                    .contains("evaluate meft: skipped").contains("on training questions: skipped");
            for (int i = 0; i < 10; i++) {
                StudyRow a = first.rows().get(i), b = second.rows().get(i);
                assertThat(List.of(b.heldOutEm(), b.seenEm(), (double) b.targetTokens()))
                        .isEqualTo(List.of(a.heldOutEm(), a.seenEm(), (double) a.targetTokens()));
            }
        }
    }

    @Test
    void aSweepInTheStudyConfigIsRefused() throws Exception {
        Path conf = LaunchEnvironment.current().root().resolve("conf/study.yaml");
        try (SparkSession spark = Sessions.create("study-test", "local[1]", Map.of())) {
            assertThatThrownBy(() -> Study.run(spark, Files.readString(conf), conf.toString(),
                    List.of("run.sweep=[{name: x, set: [adapter.method=lora]}]"), System.err))
                    .hasMessageContaining("run.sweep is set");
        }
    }
}
