package org.meftspark.jobs.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.DataSection;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.MetricsJson;
import org.meftspark.spark.Sessions;

/** ScoreJob with predictions, raw references and output all on an in-process HDFS. */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ScoreJobTest {
    static MiniDFSCluster hdfs;
    static FileSystem fs;
    static SparkSession spark;
    static String root;
    static List<String> ids = new ArrayList<>();
    @TempDir
    static Path dir;

    static final String[] QUESTIONS = {"who founded kabrobroth", "what river flows through zuge",
            "when was klileru founded", "what is the guild of zuge", "who rules kabrobroth"};
    static final String[] ANSWERS = {"Pavas Shobithi", "Stul", "1317", "the weavers", "Queen Ana"};

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        hdfs = new MiniDFSCluster.Builder(conf, dir.resolve("hdfs").toFile()).numDataNodes(1).build();
        hdfs.waitActive();
        fs = hdfs.getFileSystem();
        root = hdfs.getURI() + "/meft";
        spark = Sessions.create("meft-score-test", "local[2]", Map.of("spark.sql.shuffle.partitions", "2"));

        // References: five questions, the first repeated (a duplicate id), one with an empty gold list.
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < QUESTIONS.length; i++) {
            refs.append(nq(QUESTIONS[i], ANSWERS[i]));
        }
        refs.append(nq(QUESTIONS[0], "Someone Else"));
        refs.append("{\"question\": \"a question without gold\", \"answer\": []}\n");
        Path local = dir.resolve("nq.jsonl");
        Files.writeString(local, refs);
        try (ReadResults r = DatasetReaders.open(Dataset.NQ_OPEN, "eval", local, ReaderOptions.DEFAULTS)) {
            while (r.hasNext() && ids.size() < QUESTIONS.length) {
                if (r.next() instanceof Example e) {
                    ids.add(e.id());
                }
            }
        }
        write(root + "/refs/nq.jsonl", refs.toString().getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static String nq(String q, String a) {
        return "{\"question\": \"" + q + "\", \"answer\": [\"" + a + "\"]}\n";
    }

    private static void write(String path, byte[] bytes) throws Exception {
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path), true)) {
            out.write(bytes);
        }
    }

    private static String read(String path) throws Exception {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every line of Spark's part files under an output folder on HDFS. */
    private static List<Map<?, ?>> lines(String folder) throws Exception {
        List<Map<?, ?>> out = new ArrayList<>();
        for (FileStatus s : fs.listStatus(new org.apache.hadoop.fs.Path(folder))) {
            if (s.getPath().getName().startsWith("part-")) {
                for (String l : read(s.getPath().toString()).split("\n")) {
                    if (!l.isBlank()) {
                        out.add(new ObjectMapper().readValue(l, Map.class));
                    }
                }
            }
        }
        return out;
    }

    private static EvaluationSummary metrics(String out) throws Exception {
        Path local = dir.resolve("metrics-" + System.nanoTime() + ".json");
        Files.writeString(local, read(out + "/metrics.json"));
        return MetricsJson.read(local);
    }

    private static Score.Options options(String predictions, String out) {
        return new Score.Options(predictions, Score.PredictionFormat.AUTO, root + "/refs/nq.jsonl", Dataset.NQ_OPEN,
                DataSection.Format.AUTO, out, false, "other-tool", 100, 5, 10, 2);
    }

    @Test
    void badPredictionsAreCountedAndListedAndNoIdIsDroppedSilently() throws Exception {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(("{\"id\": \"" + ids.get(0) + "\", \"prediction\": \"pavas shobithi\"}\n"
                + "{\"id\": \"" + ids.get(1) + "\", \"prediction\": \"the Danube\"}\n"
                + "{\"id\": \"" + ids.get(1) + "\", \"prediction\": \"Stul\"}\n"
                + "{broken\n"
                + "{\"prediction\": \"no id\"}\n"
                + "{\"id\": \"nq_open:unknown\", \"prediction\": \"x\"}\n"
                + "{\"id\": \"" + ids.get(3) + "\", \"prediction\": \"\"}\n"
                + "{\"id\": \"" + ids.get(2) + "\", \"prediction\": \"13").getBytes(StandardCharsets.UTF_8));
        p.write(new byte[] {(byte) 0xC3, (byte) 0x28});
        p.writeBytes("\"}\n".getBytes(StandardCharsets.UTF_8));
        write(root + "/preds/p.jsonl", p.toByteArray());
        String out = root + "/scores";

        Score.Result r = Score.run(spark, options(root + "/preds/p.jsonl", out));

        assertThat(r.output()).startsWith("hdfs://");
        assertThat(r.counts()).containsEntry("prediction_records", 6L).containsEntry("malformed_prediction_lines", 2L)
                .containsEntry("non_utf8_lines", 1L).containsEntry("reference_records", 6L)
                .containsEntry("rejected_reference_records", 1L).containsEntry("duplicate_prediction_ids", 1L)
                .containsEntry("duplicate_reference_ids", 1L).containsEntry("scored_rows", 5L)
                .containsEntry("missing_predictions", 1L).containsEntry("unknown_predictions", 1L);
        // One row per reference id; the first of the duplicate predictions (wrong) is the one scored.
        List<Row> rows = spark.read().parquet(out + "/predictions").collectAsList();
        assertThat(rows).hasSize(5);
        Map<String, Double> em = new java.util.HashMap<>();
        rows.forEach(x -> em.put(x.getAs("id"), x.getAs("em")));
        assertThat(em).containsEntry(ids.get(0), 1.0).containsEntry(ids.get(1), 0.0).containsEntry(ids.get(4), 0.0);
        Row missing = rows.stream().filter(x -> x.getAs("id").equals(ids.get(4))).findFirst().orElseThrow();
        assertThat(missing.<String>getAs("prediction")).isNull();
        assertThat(missing.getList(missing.fieldIndex("warnings"))).anyMatch(w -> w.toString().startsWith("missing_prediction"));

        EvaluationSummary s = metrics(out);
        assertThat(s.result("nq_open", "em")).hasValueSatisfying(m -> assertThat(m.mean()).isEqualTo(0.2));
        assertThat(s.run().method()).isEqualTo("other-tool");
        assertThat(s.run().extra()).containsEntry("missing_predictions", "1");
        assertThat(s.datasets().get("nq_open").warnings()).containsKeys("EMPTY_PREDICTION", "NULL_PREDICTION",
                "REPLACEMENT_CHARACTER");
        assertThat(lines(out + "/missing_predictions")).singleElement().satisfies(m -> assertThat(m.get("id")).isEqualTo(ids.get(4)));
        assertThat(lines(out + "/unknown_predictions")).singleElement()
                .satisfies(m -> assertThat(m.get("id")).isEqualTo("nq_open:unknown"));
        assertThat(lines(out + "/duplicates")).extracting(m -> m.get("side") + " " + m.get("id"))
                .containsExactlyInAnyOrder("predictions " + ids.get(1), "references " + ids.get(0));
        // Two bad prediction lines and the reference with an empty gold list.
        List<String> reasons = lines(out + "/_rejects").stream().map(m -> (String) m.get("reason")).toList();
        assertThat(reasons).hasSize(3).filteredOn("malformed_line"::equals).hasSize(2);
        assertThat(read(out + "/report.html")).contains("other-tool").doesNotContain("<script");
        for (FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path(root))) {
            assertThat(st.getPath().getName()).doesNotContain("staging");
        }
        assertThatThrownBy(() -> Score.run(spark, options(root + "/preds/p.jsonl", out)))
                .hasMessageContaining("refusing to overwrite");
    }

    @Test
    void parquetPredictionsAndAnEmptyPredictionsFileHaveDefinedResults() throws Exception {
        StructType schema = new StructType().add("id", DataTypes.StringType).add("prediction", DataTypes.StringType);
        spark.createDataFrame(List.of(RowFactory.create(ids.get(2), "1317"), RowFactory.create(ids.get(0), null)), schema)
                .coalesce(1).write().parquet(root + "/preds-parquet");
        Score.Result r = Score.run(spark, options(root + "/preds-parquet", root + "/scores-parquet"));
        assertThat(r.counts()).containsEntry("prediction_records", 2L).containsEntry("missing_predictions", 3L)
                .containsEntry("scored_rows", 5L);
        assertThat(metrics(root + "/scores-parquet").result("nq_open", "em"))
                .hasValueSatisfying(m -> assertThat(m.mean()).isEqualTo(0.2));

        write(root + "/preds-empty/p.jsonl", new byte[0]);
        Score.Result empty = Score.run(spark, options(root + "/preds-empty/p.jsonl", root + "/scores-empty"));
        assertThat(empty.counts()).containsEntry("prediction_records", 0L).containsEntry("missing_predictions", 5L);
        assertThat(metrics(root + "/scores-empty").result("nq_open", "em"))
                .hasValueSatisfying(m -> assertThat(m.mean()).isZero());
    }
}
