package org.meftspark.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.spark.LaunchEnvironment;

/**
 * Small inputs in every format the job reads, with known bad records, written by the test
 * (never copied from ../shared). The expected counts below are what a correct job reports.
 */
final class PreprocessFixtures {
    private PreprocessFixtures() {
    }

    /** A GSM8K training question and a test question that differs from it by one word. */
    static final String TRAIN_TWIN = "Natalia sold clips to 48 of her friends in April and then she sold half as many "
            + "clips in May. How many clips did Natalia sell altogether in April and May?";
    static final String TEST_TWIN = "Natalia sold clips to 48 of her friends in April and then she sold half as many "
            + "clips in June. How many clips did Natalia sell altogether in April and June?";

    /** Valid examples that reach the shards when nothing is removed for contamination. */
    static final int VALID_ROWS = 6 + 3 + 2 + 2 + 1 + 1;

    /** Rejections by reason (contamination removal adds one "contaminated"). */
    static final Map<String, Long> REJECTED = new TreeMap<>(Map.of(
            "malformed_json", 1L, "missing_field", 1L, "invalid_utf8", 1L, "duplicate_id", 1L,
            "bad_answer_format", 1L, "empty_input", 1L, "target_too_long", 1L, "empty_field", 1L));

    /** Writes every input under {@code dir}. */
    static void writeInputs(SparkSession spark, Path dir) throws IOException {
        writeFileInputs(dir);
        // nq_open as a Hugging Face Parquet export: one good row, one with a blank answer list.
        StructType schema = new StructType().add("question", DataTypes.StringType)
                .add("answer", DataTypes.createArrayType(DataTypes.StringType));
        spark.createDataFrame(List.of(
                        RowFactory.create("what is the largest ocean on earth", List.of("Pacific Ocean")),
                        RowFactory.create("what colour is the sky", List.of("  "))), schema)
                .coalesce(1).write().parquet(dir.resolve("nq-parquet").toString());
    }

    /** The inputs that need no Spark to write (everything but the Parquet export). */
    static void writeFileInputs(Path dir) throws IOException {
        Files.createDirectories(dir);
        // nq_open, no split: hash split. Line 2 malformed, 3 missing answer, 4 invalid UTF-8,
        // 9 repeats line 1's question (same id: rejected as a duplicate, line 1 kept).
        try (OutputStream out = Files.newOutputStream(dir.resolve("nq.jsonl"))) {
            out.write(lines(
                    "{\"question\": \"who wrote the novel moby dick\", \"answer\": [\"Herman Melville\"]}",
                    "{\"question\": \"broken",
                    "{\"question\": \"what is the capital of peru\"}").getBytes(StandardCharsets.UTF_8));
            out.write("{\"question\": \"caf".getBytes(StandardCharsets.UTF_8));
            out.write(new byte[] {(byte) 0xC3, (byte) 0x28});
            out.write("\", \"answer\": [\"x\"]}\n".getBytes(StandardCharsets.UTF_8));
            out.write(lines(
                    "{\"question\": \"when did the berlin wall fall\", \"answer\": [\"1989\"]}",
                    "{\"question\": \"how many moons does mars have\", \"answer\": [\"two\", \"2\"]}",
                    "{\"question\": \"what is the boiling point of water in kelvin\", \"answer\": [\"373\"]}",
                    "{\"question\": \"who painted the mona lisa\", \"answer\": [\"Leonardo da Vinci\"]}",
                    "{\"question\": \"who wrote the novel moby dick\", \"answer\": [\"Melville\"]}",
                    "{\"question\": \"which planet is known as the red planet\", \"answer\": [\"Mars\"]}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        // gsm8k train: the contamination twin, two more, and one whose worked solution alone
        // is longer than max_length (512 byte tokens).
        Files.writeString(dir.resolve("gsm8k-train.jsonl"), lines(
                gsm(TRAIN_TWIN, "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72"),
                gsm("A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total?",
                        "It takes 2/2=<<2/2=1>>1 bolt of white fiber\n#### 3"),
                gsm("Weng earns $12 an hour for babysitting. Yesterday she did 50 minutes. How much did she earn?",
                        "Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.\n#### 10"),
                gsm("Tell a very long story about numbers.", "x".repeat(600) + "\n#### 1")));
        // gsm8k test: the twin, one more, one answer without its #### line.
        Files.writeString(dir.resolve("gsm8k-test.jsonl"), lines(
                gsm(TEST_TWIN, "Natalia sold 48/2 = 24 clips in June.\n#### 72"),
                gsm("Janet's ducks lay 16 eggs per day. She eats three. How many are left?", "16 - 3 = 13\n#### 13"),
                gsm("A question whose answer lost its final line?", "Some reasoning without a result")));
        Files.writeString(dir.resolve("empty.jsonl"), "");
        Files.writeString(dir.resolve("squad.json"), """
                {"version": "1.1", "data": [{"title": "T", "paragraphs": [
                  {"context": "Paris is the capital and most populous city of France.",
                   "qas": [{"id": "s1", "question": "What is the capital of France?",
                            "answers": [{"text": "Paris", "answer_start": 0}], "evidences": ["x"]},
                           {"id": "s2", "question": "What is Paris the most populous city of?",
                            "answers": [{"text": "France", "answer_start": 47}]}]}]}]}
                """);
        Files.writeString(dir.resolve("toolbench.json"), """
                [{"query": "Check the health of the SQUAKE service.", "query_id": 1,
                  "api_list": [{"category_name": "Logistics", "tool_name": "SQUAKE", "api_name": "Checkhealth",
                                "api_description": "Health check"}],
                  "relevant APIs": [["SQUAKE", "Checkhealth"]]}]
                """);
    }

    /** The run configuration over those inputs. */
    static RunConfig config(Path inputs, Path output, String... overrides) throws IOException {
        return configFor(inputs.toString(), output.toString(), inputs, overrides);
    }

    /** The same configuration for inputs and output given as any Hadoop paths; the YAML goes to {@code cfgDir}. */
    static RunConfig configFor(String inputs, String output, Path cfgDir, String... overrides) throws IOException {
        Path root = LaunchEnvironment.current().root();
        String yaml = """
                data:
                  inputs:
                    - {dataset: nq_open, path: "%1$s/nq.jsonl"}
                    - {dataset: gsm8k, path: "%1$s/gsm8k-train.jsonl", split: train}
                    - {dataset: gsm8k, path: "%1$s/gsm8k-test.jsonl", split: test}
                    - {dataset: gsm8k, path: "%1$s/empty.jsonl", split: train}
                    - {dataset: squad, path: "%1$s/squad.json", split: dev}
                    - {dataset: toolbench, path: "%1$s/toolbench.json", split: train}
                    - {dataset: nq_open, path: "%1$s/nq-parquet", format: parquet, split: train}
                  shards: "%2$s"
                  templates: "%3$s/conf/templates"
                  max_length: 512
                  dev_fraction: 0.3
                  shard_tokens: 600
                  shard_rows: 3
                model:
                  tokenizer: byte
                spark:
                  partitions: 2
                """.formatted(inputs, output, root);
        Path file = Files.createDirectories(cfgDir).resolve("run.yaml");
        Files.writeString(file, yaml);
        return RunConfigLoader.load(file, List.of(overrides));
    }

    /** Every JSON line of the part files under {@code dir} (Spark's text output). */
    static List<Map<String, Object>> jsonLines(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> m = json.readValue(line, Map.class);
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }

    private static String gsm(String q, String a) {
        try {
            return new ObjectMapper().writeValueAsString(Map.of("question", q, "answer", a));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String lines(String... l) {
        return String.join("\n", l) + "\n";
    }
}
