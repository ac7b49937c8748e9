package org.meftspark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.tokenize.TruncationSide;

class RunConfigLoaderTest {

    private static RunConfig parse(String yaml, String... overrides) {
        return RunConfigLoader.parse(yaml, "test.yaml", List.of(overrides));
    }

    private static ConfigException failure(String yaml, String... overrides) {
        try {
            parse(yaml, overrides);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void emptyFileGivesDefaults() {
        assertThat(parse("")).isEqualTo(RunConfig.defaults());
        assertThat(parse("# only a comment\n")).isEqualTo(RunConfig.defaults());
    }

    @Test
    void readsEverySectionAndFillsDefaults() {
        RunConfig c = parse("""
                run:
                  name: nq-meft
                  seed: 7
                data:
                  inputs:
                    - dataset: nq_open
                      path: ../shared/datasets/nq_open/NQ-open.dev.jsonl
                      split: test
                    - {dataset: gsm8k, path: /data/gsm8k, format: published}
                  max_length: 512
                  truncation_side: right
                model:
                  path: /models/llama
                  dtype: bfloat16
                adapter:
                  method: lora
                  lora_targets: [q_proj, k_proj, v_proj]
                training:
                  learning_rate: 3e-4
                evaluation:
                  decoding: greedy
                spark:
                  master: spark://127.0.0.1:7077
                  conf:
                    spark.executor.memory: 8g
                """);
        assertThat(c.run().name()).isEqualTo("nq-meft");
        assertThat(c.run().seed()).isEqualTo(7);
        assertThat(c.data().inputs()).containsExactly(
                new DataSection.Input(Dataset.NQ_OPEN, "../shared/datasets/nq_open/NQ-open.dev.jsonl",
                        DataSection.Format.AUTO, "test"),
                new DataSection.Input(Dataset.GSM8K, "/data/gsm8k", DataSection.Format.PUBLISHED, ""));
        assertThat(c.data().maxLength()).isEqualTo(512);
        assertThat(c.data().truncationSide()).isEqualTo(TruncationSide.RIGHT);
        assertThat(c.data().shardRows()).isEqualTo(DataSection.SHARD_ROWS.defaultValue());
        assertThat(c.model().dtype()).isEqualTo(ModelSection.Dtype.BFLOAT16);
        assertThat(c.adapter().method()).isEqualTo(AdapterSection.Method.LORA);
        assertThat(c.adapter().loraTargets()).containsExactly("q_proj", "k_proj", "v_proj");
        assertThat(c.training().learningRate()).isEqualTo(3e-4);
        assertThat(c.training().microBatchSize()).isEqualTo(8);
        assertThat(c.evaluation().decoding()).isEqualTo(EvaluationSection.Decoding.GREEDY);
        assertThat(c.spark().conf()).containsEntry("spark.executor.memory", "8g");
    }

    @Test
    void unknownKeyIsRejectedWithLineSuggestionAndAllowedKeys() {
        ConfigException e = failure("""
                training:
                  learnig_rate: 0.001
                """);
        assertThat(e.problems()).singleElement().asString()
                .startsWith("test.yaml:2:3: training.learnig_rate: unknown key (did you mean 'learning_rate'?)")
                .contains("allowed: device, learning_rate");
    }

    @Test
    void unknownSectionIsRejected() {
        assertThat(failure("trainer:\n  epochs: 1\n").problems()).singleElement().asString()
                .startsWith("test.yaml:1:1: trainer: unknown section; allowed: run, data, model");
    }

    @Test
    void wrongTypesAndRangesAreAllReportedAtOnceWithLines() {
        ConfigException e = failure("""
                training:
                  epochs: many
                  learning_rate: 0
                  micro_batch_size: [1, 2]
                adapter:
                  method: prefix_tuning
                model:
                  gradient_checkpointing: yes
                """);
        assertThat(e.problems()).containsExactly(
                "test.yaml:2:11: training.epochs: expected an integer in [1, 10000], got 'many'",
                "test.yaml:3:18: training.learning_rate: expected a number in (0.0, 1.0], got 0",
                "test.yaml:4:21: training.micro_batch_size: expected an integer in [1, 65536], got a list",
                "test.yaml:6:11: adapter.method: expected one of meft, lora, parallel_adapter, full, none, got 'prefix_tuning'",
                "test.yaml:8:27: model.gradient_checkpointing: expected true or false, got 'yes'");
    }

    @Test
    void missingRequiredKeyInAListItemIsNamed() {
        assertThat(failure("data:\n  inputs:\n    - dataset: squad\n").problems()).singleElement().asString()
                .isEqualTo("test.yaml:3:7: data.inputs[0]: missing required key 'path' (a path)");
    }

    @Test
    void crossKeyRulesNameBothKeys() {
        assertThat(failure("adapter:\n  neurons: 16\n  top_k: 64\n").problems()).singleElement().asString()
                .isEqualTo("test.yaml:2:3: adapter: top_k (64) must not exceed neurons (16)");
        assertThat(failure("adapter:\n  neurons: 100\n  n_probe: 50\n").problems()).singleElement().asString()
                .contains("n_probe (50) must not exceed the number of experts E = ceil(sqrt(100)) / 0.25 = 40");
    }

    @Test
    void gpuTrainingIsAcceptedWhateverTheConfiguredMasterBecauseSparkSubmitsMasterWins() {
        // The refusal of GPU stages in local mode happens when the stage is scheduled (GpuScheduling).
        assertThat(parse("training:\n  device: gpu\n").training().device()).isEqualTo(TrainingSection.Device.GPU);
    }

    @Test
    void sparkConfAcceptsOnlySparkProperties() {
        assertThat(failure("spark:\n  conf:\n    java.home: /tmp\n").problems()).singleElement().asString()
                .startsWith("test.yaml:3:5: spark.conf.java.home: key not allowed here");
    }

    @Test
    void sparkConfPropertiesThatLoadCodeNeedAnExplicitOptIn() {
        List<String> code = List.of("spark.jars", "spark.jars.packages", "spark.plugins", "spark.extraListeners",
                "spark.sql.extensions", "spark.executor.extraJavaOptions", "spark.driver.extraClassPath",
                "spark.executor.resource.gpu.discoveryScript", "spark.executorEnv.LD_PRELOAD",
                "spark.executorEnv.JAVA_TOOL_OPTIONS");
        for (String k : code) {
            assertThat(failure("spark:\n  conf:\n    " + k + ": x\n").problems()).as(k).singleElement().asString()
                    .startsWith("test.yaml:2:3: spark: conf: " + k + " make Spark load classes or run programs")
                    .endsWith("set spark.allow_code_loading: true");
            assertThat(parse("spark:\n  allow_code_loading: true\n  conf:\n    " + k + ": x\n").spark().conf())
                    .as(k).containsEntry(k, "x");
        }
        // Ordinary tuning and Hadoop settings need nothing.
        assertThat(parse("spark:\n  conf:\n    spark.executor.memory: 4g\n    spark.executorEnv.OMP_NUM_THREADS: \"4\"\n"
                + "    spark.hadoop.fs.s3a.endpoint: http://minio:9000\n    spark.executor.resource.gpu.amount: \"1\"\n")
                .spark().conf()).hasSize(4);
    }

    @Test
    void duplicateKeysAndBrokenYamlAreRefusedWithTheirLocation() {
        assertThat(failure("training:\n  epochs: 1\n  epochs: 2\n").problems()).containsExactly(
                "test.yaml:3:3: training.epochs: duplicate key (first at line 2)");
        assertThat(failure("spark:\n  conf:\n    spark.a: x\n    spark.a: y\nspark: {}\n").problems()).containsExactly(
                "test.yaml:4:5: spark.conf.spark.a: duplicate key (first at line 3)",
                "test.yaml:5:1: spark: duplicate key (first at line 1)");
        assertThat(failure("training: [\n").getMessage()).contains("not valid YAML").contains("test.yaml");
    }

    @Test
    void yamlTagsCannotConstructObjects() {
        // A composed node tree never instantiates classes; the tag is refused and the value still type-checked.
        assertThat(failure("run:\n  name: !!javax.script.ScriptEngineManager [x]\n").problems()).hasSize(2)
                .anySatisfy(m -> assertThat(m).contains("run.name: YAML tag tag:yaml.org,2002:javax.script.ScriptEngineManager"))
                .anySatisfy(m -> assertThat(m).contains("run.name: expected 1 to 100 letters"));
    }

    /**
     * Issue 9, item 7: tags that other YAML loaders turn into objects are refused, with their position, rather
     * than read as plain text; the core schema's own tags still work. A self-referencing alias must not send
     * the check into a loop.
     */
    @Test
    void tagsOutsideTheCoreSchemaAreRefused() {
        assertThat(failure("run:\n  name: !!java.lang.Runtime calc\n").problems()).singleElement().asString()
                .startsWith("test.yaml:2:9: run.name: YAML tag tag:yaml.org,2002:java.lang.Runtime is not allowed");
        assertThat(failure("training: !!javax.script.ScriptEngineManager {epochs: 2}\n").problems()).singleElement()
                .asString().contains("training: YAML tag tag:yaml.org,2002:javax.script.ScriptEngineManager is not allowed");
        assertThat(failure("run:\n  name: !<tag:yaml.org,2002:java.net.URL> x\n").problems()).singleElement().asString()
                .contains("java.net.URL is not allowed");
        assertThat(failure("run: {name: !local x}\n").problems()).singleElement().asString().contains("!local is not allowed");
        assertThat(failure("!!java.util.HashMap {run: {name: x}}\n").problems()).singleElement().asString()
                .contains("(top level): YAML tag tag:yaml.org,2002:java.util.HashMap is not allowed");
        assertThat(failure("", "run.name=!!java.lang.ProcessBuilder [calc]").problems()).asString()
                .contains("run.name: YAML tag tag:yaml.org,2002:java.lang.ProcessBuilder is not allowed");
        assertThat(failure("run: &x [*x]\n").problems()).isNotEmpty();
        assertThat(parse("run: {name: !!str quoted, seed: !!int 7}\n").run().name()).isEqualTo("quoted");
    }

    @Test
    void aliasBombIsRefused() {
        StringBuilder sb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 30; i++) {
            sb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            sb.append("]\n");
        }
        assertThat(failure(sb.toString()).getMessage()).contains("not valid YAML");
    }

    @Test
    void overridesReplaceFileValuesAndAreValidatedToo() {
        RunConfig c = parse("training:\n  epochs: 2\n", "training.epochs=3", "adapter.method=parallel_adapter",
                "data.inputs=[{dataset: gsm8k, path: g.jsonl}]");
        assertThat(c.training().epochs()).isEqualTo(3);
        assertThat(c.adapter().method()).isEqualTo(AdapterSection.Method.PARALLEL_ADAPTER);
        assertThat(c.data().inputs()).extracting(DataSection.Input::dataset).containsExactly(Dataset.GSM8K);
        assertThat(failure("", "training.epochs=0").problems()).singleElement().asString()
                .startsWith("--set training.epochs=0:1:1: training.epochs: expected an integer in [1, 10000]");
        assertThat(failure("", "epochs=3").problems()).singleElement().asString().contains("expected section.key=value");
    }

    @Test
    void fileErrorsNameTheFile(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> RunConfigLoader.load(dir.resolve("absent.yaml"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("absent.yaml: no such file");
        Path bad = dir.resolve("latin1.yaml");
        Files.write(bad, "run:\n  name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> RunConfigLoader.load(bad, List.of()))
                .hasMessageContaining("latin1.yaml: not valid UTF-8");
        Path ok = dir.resolve("ok.yaml");
        Files.writeString(ok, "training:\n  epochs: 1\n");
        assertThat(RunConfigLoader.load(ok, List.of()).training().epochs()).isEqualTo(1);
    }

    @Test
    void everyShippedConfigLoads() throws Exception {
        Path conf = Path.of(System.getProperty("meft.project.root", "..")).resolve("conf");
        try (var files = Files.list(conf)) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertThat(yamls).isNotEmpty();
            for (Path p : yamls) {
                assertThat(RunConfigLoader.load(p, List.of())).as(p.toString()).isNotNull();
            }
        }
    }

    @Test
    void documentedReferenceMatchesTheDeclarations() throws Exception {
        Path doc = Path.of(System.getProperty("meft.project.root", "..")).resolve("docs/configuration.md");
        assertThat(Files.readString(doc)).as("docs/configuration.md is stale: regenerate it with "
                + "'bin/meft config reference' and paste the output").contains(RunConfig.reference());
    }

    @Test
    void sweepExpandsIntoValidatedVariants() {
        String yaml = """
                run:
                  sweep:
                    - {name: lora, set: [adapter.method=lora]}
                    - {name: meft-16k, set: [adapter.method=meft, adapter.neurons=16384]}
                """;
        List<RunVariant> v = RunConfigLoader.variants(yaml, "sweep.yaml", List.of("training.epochs=2"));
        assertThat(v).extracting(RunVariant::name).containsExactly("lora", "meft-16k");
        assertThat(v.get(0).config().adapter().method()).isEqualTo(AdapterSection.Method.LORA);
        assertThat(v.get(1).config().adapter().neurons()).isEqualTo(16384);
        assertThat(v).allSatisfy(x -> assertThat(x.config().training().epochs()).isEqualTo(2));
        assertThat(v.get(1).overrides()).containsExactly("training.epochs=2", "adapter.method=meft", "adapter.neurons=16384");
        assertThat(RunConfigLoader.variants("", "x.yaml", List.of())).singleElement()
                .extracting(RunVariant::name).isEqualTo("meft");
    }

    @Test
    void badSweepVariantsAreNamedInTheError() {
        assertThatThrownBy(() -> RunConfigLoader.variants(
                "run:\n  sweep:\n    - {name: a, set: [adapter.neurons=0]}\n", "s.yaml", List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("run.sweep[a]: --set adapter.neurons=0");
        assertThat(failure("run:\n  sweep:\n    - {name: a}\n    - {name: a}\n").problems()).singleElement().asString()
                .contains("variant name 'a' is used twice");
    }

    @Test
    void namesUsedAsPathsCannotEscape() {
        for (String bad : List.of("..", ".", "a/b", "-x", ".hidden")) {
            assertThat(failure("run:\n  name: '" + bad + "'\n").problems()).as(bad).singleElement().asString()
                    .contains("run.name: expected 1 to 100 letters");
        }
    }
}
