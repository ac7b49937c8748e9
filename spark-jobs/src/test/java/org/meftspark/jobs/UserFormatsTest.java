package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.DataSection;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.data.Dataset;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.jobs.score.Score;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.Sessions;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;
import picocli.CommandLine;

/** Issue 18 end to end: datasets and predictions as users bring them, and exit codes that mean something. */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UserFormatsTest {
    static SparkSession spark;
    @TempDir
    static Path dir;

    static final String SQUAD_V2 = "{\"version\": \"v2.0\", \"data\": [{\"title\": \"T\", \"paragraphs\": [{\"context\": "
            + "\"Denver won the game in Santa Clara.\", \"qas\": ["
            + "{\"question\": \"Who won?\", \"id\": \"h1\", \"answers\": [{\"text\": \"Denver\", \"answer_start\": 0}], \"is_impossible\": false},"
            + "{\"question\": \"Where was it?\", \"id\": \"h2\", \"answers\": [{\"text\": \"Santa Clara\", \"answer_start\": 23}], \"is_impossible\": false},"
            + "{\"question\": \"Who lost to Paris?\", \"id\": \"n1\", \"answers\": [], \"is_impossible\": true}]}]}]}";

    @BeforeAll
    static void start() {
        spark = Sessions.create("meft-user-formats-test", "local[2]", Map.of("spark.sql.shuffle.partitions", "2"));
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Path config(String name, String inputs, int maxLength) throws Exception {
        String yaml = """
                data:
                  inputs:
                %s
                  shards: "%s"
                  templates: "%s/conf/templates"
                  max_length: %d
                  contamination_check: false
                model:
                  tokenizer: byte
                spark:
                  partitions: 2
                """.formatted(inputs, dir.resolve(name + "-out"), LaunchEnvironment.current().root(), maxLength);
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static int preprocessCommand(Path config, StringWriter err, String... extra) {
        CommandLine cl = new CommandLine(new PreprocessJob());
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        String[] args = new String[2 + extra.length];
        args[0] = "--config";
        args[1] = config.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        return cl.execute(args);
    }

    @Test
    void tooManyRejectsExitOneWithReasonsButTheOutputIsWritten() throws Exception {
        StringBuilder g = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            g.append("{\"question\": \"How many apples, case ").append(i).append("?\", \"answer\": \"")
                    .append("She counts them one by one. ".repeat(i < 8 ? 12 : 1)).append("\\n#### ").append(i).append("\"}\n");
        }
        Files.writeString(dir.resolve("gsm8k.jsonl"), g);
        Path cfg = config("gsm", "    - {dataset: gsm8k, path: \"" + dir.resolve("gsm8k.jsonl") + "\", split: test}", 200);
        Preprocess.Result r = Preprocess.run(spark, RunConfigLoader.load(cfg, List.of()));
        assertThat(r.table()).contains("kept").contains("max_length p99").contains("20.0%");
        assertThat(r.problems()).singleElement().asString().startsWith("gsm8k: 8 of 10 records rejected (80.0%)")
                .contains("target_too_long 8").contains("would keep 99% whole");
        assertThat(Files.exists(dir.resolve("gsm-out/manifest.json"))).isTrue();

        StringWriter err = new StringWriter();
        assertThat(preprocessCommand(cfg, err, "--set", "data.overwrite=true")).isEqualTo(1);
        assertThat(err.toString()).contains("preprocess: gsm8k: 8 of 10 records rejected");
        assertThat(preprocessCommand(cfg, new StringWriter(), "--set", "data.overwrite=true", "--allow-rejects"))
                .isZero();
        assertThat(preprocessCommand(cfg, new StringWriter(), "--set", "data.overwrite=true",
                "--set", "data.max_length=2000")).isZero();

        Files.writeString(dir.resolve("empty.jsonl"), "");
        Path empty = config("empty", "    - {dataset: nq_open, path: \"" + dir.resolve("empty.jsonl") + "\"}", 256);
        StringWriter emptyErr = new StringWriter();
        assertThat(preprocessCommand(empty, emptyErr)).isEqualTo(1);
        assertThat(emptyErr.toString()).contains("no usable row");
    }

    @Test
    void squadV2IsKeptAndScoredTheV2WayFromTheOfficialPredictionDict() throws Exception {
        Path squad = dir.resolve("dev-v1.1.json");
        Files.writeString(squad, SQUAD_V2);
        Path cfg = config("squad", "    - {dataset: squad, path: \"" + squad + "\", split: dev}", 512);
        Preprocess.Result r = Preprocess.run(spark, RunConfigLoader.load(cfg, List.of()));
        assertThat(r.problems()).isEmpty();
        assertThat(r.table()).contains("1 unanswerable SQuAD v2.0 question(s) kept");
        List<TokenizedExample> rows = ShardReader.open(new LocalShardStore(dir.resolve("squad-out")),
                ByteTokenizer.FINGERPRINT).rows().toList();
        assertThat(rows).filteredOn(TokenizedExample::noAnswer).singleElement()
                .satisfies(t -> assertThat(t.id()).isEqualTo("squad:n1"));
        assertThat(rows).extracting(TokenizedExample::question).contains("Who won?");

        // The official prediction file, with raw ids; h2 answered partly, n1 correctly left empty.
        Path preds = dir.resolve("predictions.json");
        Files.writeString(preds, "{\n  \"h1\": \"Denver\",\n  \"h2\": \"Santa\",\n  \"n1\": \"\"\n}\n");
        Score.Result s = Score.run(spark, new Score.Options(preds.toString(), Score.PredictionFormat.AUTO,
                dir.resolve("squad-out").toString(), null, DataSection.Format.AUTO, dir.resolve("score").toString(),
                false, "dict", 0, 1, 3, 2));
        assertThat(s.format()).contains("official SQuAD prediction dict");
        assertThat(s.problems()).isEmpty();
        assertThat(s.summary().result("squad", "em").orElseThrow().mean()).isEqualTo(2.0 / 3);
        assertThat(s.summary().result("squad", "HasAns_em").orElseThrow().mean()).isEqualTo(0.5);
        assertThat(s.summary().result("squad", "NoAns_em").orElseThrow().mean()).isEqualTo(1.0);
        // F1 of "Santa" against "Santa Clara": P 1, R 1/2, F1 2/3; HasAns_f1 = (1 + 2/3) / 2.
        assertThat(s.summary().result("squad", "HasAns_f1").orElseThrow().mean()).isCloseTo(5.0 / 6, org.assertj.core.data.Offset.offset(1e-9));
        List<Row> out = spark.read().parquet(dir.resolve("score/predictions").toString()).select("id", "question")
                .orderBy("id").collectAsList();
        assertThat(out).extracting(x -> x.getString(0) + " " + x.getString(1))
                .containsExactly("squad:h1 Who won?", "squad:h2 Where was it?", "squad:n1 Who lost to Paris?");
    }

    @Test
    void idLessPredictionsAreMatchedByQuestionAndAmbiguousOnesListed() throws Exception {
        Path refs = dir.resolve("nq.jsonl");
        Files.writeString(refs, """
                {"question": "who wrote hamlet", "answer": ["Shakespeare"]}
                {"question": "capital of france", "answer": ["Paris"]}
                {"question": "Capital of France?", "answer": ["Paris, France"]}
                """);
        Path preds = dir.resolve("efficientqa.jsonl");
        Files.writeString(preds, """
                {"question": "Who wrote Hamlet?", "prediction": "Shakespeare"}

                {"question": "capital of france", "prediction": "Paris"}
                {"question": "an unknown question", "prediction": "x"}
                """);
        Score.Result s = Score.run(spark, new Score.Options(preds.toString(), Score.PredictionFormat.AUTO,
                refs.toString(), Dataset.NQ_OPEN, DataSection.Format.AUTO, dir.resolve("nq-score").toString(), false,
                "questions", 0, 1, 3, 2));
        assertThat(s.format()).contains("JSON lines with questions");
        assertThat(s.counts()).containsEntry("question_matched_predictions", 1L)
                .containsEntry("ambiguous_question_predictions", 1L).containsEntry("unknown_predictions", 1L)
                .containsEntry("missing_predictions", 2L);
        assertThat(s.summary().result("nq_open", "em").orElseThrow().mean()).isEqualTo(1.0 / 3);
        List<String> ambiguous = Files.readAllLines(partFile(dir.resolve("nq-score/ambiguous_predictions")));
        assertThat(ambiguous).singleElement().asString().contains("capital of france")
                .contains(preds + ":3"); // 1-based line, the blank line counted
        // Two of three references without a prediction: more than 5 %, so the command would exit 1.
        assertThat(s.problems()).anySatisfy(p -> assertThat(p).startsWith("nq_open: 2 of 3 references rejected"));
    }

    private static Path partFile(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith("part-") && !p.toString().endsWith(".crc"))
                    .filter(p -> {
                        try {
                            return Files.size(p) > 0;
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).findFirst().orElseThrow();
        }
    }
}
