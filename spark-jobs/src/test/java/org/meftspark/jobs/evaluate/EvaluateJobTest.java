package org.meftspark.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.MetricsJson;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.ModelFolder;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.Sessions;
import org.meftspark.synth.SampleDatasets;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;

/**
 * EvaluateJob end to end in local[2]: shards made by the preprocessing job from the project's own
 * samples (plus one question that carries markup), a tiny random model, greedy decoding.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EvaluateJobTest {
    static SparkSession spark;
    @TempDir
    static Path dir;
    static Path model;
    static Path config;
    static List<TokenizedExample> evalRows;

    static final String MARKUP_QUESTION = "what does <script>alert(1)</script> print";

    @BeforeAll
    static void prepare() throws Exception {
        spark = Sessions.create("meft-evaluate-test", "local[2]", Map.of("spark.sql.shuffle.partitions", "2"));
        Path root = LaunchEnvironment.current().root();
        SampleDatasets.Files4 f = SampleDatasets.write(dir.resolve("samples"), 5, 10);
        Path markup = dir.resolve("markup.jsonl");
        Files.writeString(markup, "{\"question\": \"" + MARKUP_QUESTION.replace("\"", "\\\"")
                + "\", \"answer\": [\"<b>nothing</b>\"]}\n");
        model = dir.resolve("tiny");
        ModelFolder.initRandom(ModelConfig.read(root.resolve("conf/models/tiny-llama.json")), 3, model);
        Path shards = dir.resolve("shards");
        config = dir.resolve("run.yaml");
        Files.writeString(config, """
                run: {name: evaltest, dir: "%1$s/runs", seed: 11}
                data:
                  inputs:
                    - {dataset: nq_open, path: "%2$s", split: dev}
                    - {dataset: nq_open, path: "%3$s", split: dev}
                    - {dataset: squad, path: "%4$s", split: dev}
                    - {dataset: toolbench, path: "%5$s", split: dev}
                    - {dataset: gsm8k, path: "%6$s", split: test}
                    - {dataset: gsm8k, path: "%7$s", split: train}
                  shards: "%8$s"
                  templates: "%9$s/conf/templates"
                  max_length: 768  # SampleDatasets ToolBench rows are about 720 byte tokens, never cut
                  shard_tokens: 4000
                model: {path: "%10$s", tokenizer: byte}
                evaluation: {decoding: greedy, max_new_tokens: 6, batch_size: 4, bootstrap_samples: 200,
                             max_examples: 4, report_examples: 500}
                spark: {partitions: 2}
                """.formatted(dir, f.nqDev(), markup, f.squadDev(), f.toolDev(), f.gsmTest(), f.gsmTrain(), shards,
                root, model));
        Preprocess.run(spark, RunConfigLoader.load(config, List.of()));
        evalRows = ShardReader.open(new LocalShardStore(shards), ByteTokenizer.FINGERPRINT).rows()
                .filter(t -> !t.split().equals("train")).toList();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static RunConfig cfg(String... overrides) throws Exception {
        return RunConfigLoader.load(config, List.of(overrides));
    }

    private static Evaluate.Options options(Path out, boolean overwrite, List<Path> metrics, String adapter) {
        return new Evaluate.Options(adapter, out.toString(), overwrite, List.of(), metrics, null);
    }

    @Test
    void everyEvaluationExampleGetsARowMetricsAndAnEscapedReportWithTheModelLoadedOncePerExecutor() throws Exception {
        Path out = dir.resolve("eval-all");
        Path trainMetrics = dir.resolve("train-metrics.jsonl");
        Files.writeString(trainMetrics, "{\"step\": 1, \"loss\": 3.5}\n{\"step\": 2, \"loss\": 2.9}\nnot json\n");
        int loadsBefore = GeneratorSource.loadsInThisJvm();

        Evaluate.Result r = Evaluate.run(spark, cfg("evaluation.max_examples=0"),
                options(out, false, List.of(trainMetrics), null));

        // Every evaluation example of the shards has exactly one row, generated or not.
        List<Row> rows = spark.read().parquet(out.resolve("predictions").toString()).collectAsList();
        assertThat(rows).hasSize(evalRows.size());
        assertThat(r.rows()).isEqualTo(evalRows.size());
        assertThat(rows.stream().map(x -> x.<String>getAs("id")).collect(Collectors.toSet()))
                .isEqualTo(evalRows.stream().map(TokenizedExample::id).collect(Collectors.toSet()));
        assertThat(rows).noneMatch(x -> x.<String>getAs("split").equals("train"));
        Row nq = rows.stream().filter(x -> x.<String>getAs("dataset").equals("nq_open")).findFirst().orElseThrow();
        assertThat(nq.<Double>getAs("em")).isBetween(0.0, 1.0);
        assertThat(nq.isNullAt(nq.fieldIndex("accuracy"))).isTrue();
        assertThat(nq.<String>getAs("prompt")).isNotBlank();
        assertThat(nq.<Integer>getAs("generated_tokens")).isBetween(0, 6);

        // Two partitions in local[2], one JVM: the model was loaded once, not per partition.
        assertThat(r.modelLoads()).isEqualTo(1);
        assertThat(GeneratorSource.loadsInThisJvm() - loadsBefore).isEqualTo(1);

        EvaluationSummary s = MetricsJson.read(out.resolve("metrics.json"));
        assertThat(s.run().method()).isEqualTo("base");
        assertThat(s.run().decoding()).isEqualTo("greedy");
        assertThat(s.run().extra()).containsEntry("model_loads", "1").containsEntry("examples",
                String.valueOf(evalRows.size()));
        assertThat(s.datasets().keySet()).containsExactlyInAnyOrder("nq_open", "squad", "toolbench", "gsm8k");
        long nqRows = evalRows.stream().filter(t -> t.dataset().equals("nq_open")).count();
        assertThat(s.datasets().get("nq_open").rows()).isEqualTo(nqRows);
        assertThat(s.result("nq_open", "em")).hasValueSatisfying(m -> {
            assertThat(m.n()).isEqualTo(nqRows);
            assertThat(m.ci95()).isNotNull();
        });
        assertThat(s.result("gsm8k", "accuracy")).isPresent();
        assertThat(s.result("toolbench", "iou")).isPresent();

        // The report is self-contained and escapes what the data holds.
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("Training loss").contains("Wrong predictions")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("staging"));
        }
        assertThat(r.table()).contains("nq_open", "em", "took");

        // A rerun to the same output refuses, and leaves the result as it was.
        byte[] metrics = Files.readAllBytes(out.resolve("metrics.json"));
        assertThatThrownBy(() -> Evaluate.run(spark, cfg(), options(out, false, List.of(), null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("refusing to overwrite")
                .hasMessageContaining("--overwrite");
        assertThat(Files.readAllBytes(out.resolve("metrics.json"))).isEqualTo(metrics);
    }

    @Test
    void maxExamplesKeepsTheSameSeededExamplesOnEveryRunAndOverwriteReplacesTheResult() throws Exception {
        Path out = dir.resolve("eval-limited");
        Evaluate.run(spark, cfg(), options(out, false, List.of(), null));
        List<String> first = spark.read().parquet(out.resolve("predictions").toString()).select("id").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList();
        Map<String, Long> perDataset = evalRows.stream().collect(Collectors.groupingBy(TokenizedExample::dataset,
                Collectors.counting()));
        long expected = perDataset.values().stream().mapToLong(n -> Math.min(n, 4)).sum();
        assertThat(first).hasSize((int) expected);

        Evaluate.run(spark, cfg(), options(out, true, List.of(), null));
        List<String> second = spark.read().parquet(out.resolve("predictions").toString()).select("id").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertThat(second).containsExactlyElementsOf(first);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("replaced"));
        }
    }

    @Test
    void theEmbeddedDefaultModelIsTheTrainersFrozenBase() throws Exception {
        Path out = dir.resolve("eval-embedded");
        Evaluate.Result r = Evaluate.run(spark, cfg("model.path=embedded:tiny-llama", "evaluation.max_examples=1"),
                options(out, false, List.of(), null));
        assertThat(r.rows()).isEqualTo(4); // one per dataset
        assertThat(r.modelLoads()).isEqualTo(1);
        assertThat(MetricsJson.read(out.resolve("metrics.json")).run().model()).isEqualTo("embedded:tiny-llama");
    }

    @Test
    void aTrainedAdapterIsLoadedFromItsTrainingDirectory() throws Exception {
        RunConfig train = cfg("adapter.method=meft", "adapter.neurons=256", "adapter.top_k=8", "adapter.n_probe=2",
                "adapter.union_cap=64", "training.max_steps=3", "training.micro_batch_size=2");
        Path trainDir = dir.resolve("train-meft");
        org.meftspark.train.Trainer.run(train, new LocalShardStore(dir.resolve("shards")), trainDir, false, null,
                org.meftspark.device.ComputeDevice.cpu());
        Path out = dir.resolve("eval-adapter");
        Evaluate.Result r = Evaluate.run(spark, train, options(out, false, List.of(), trainDir.toString()));
        assertThat(r.rows()).isPositive();
        assertThat(out.resolve("metrics.json")).exists();

        // The checkpoint is really read: a configuration of another method is refused by name.
        Path wrong = dir.resolve("eval-wrong-method");
        assertThatThrownBy(() -> Evaluate.run(spark, cfg("adapter.method=lora"),
                options(wrong, false, List.of(), trainDir.toString())))
                .hasStackTraceContaining("holds a 'meft' adapter but adapter.method is 'lora'");
        assertThat(wrong).doesNotExist();
    }
}
