package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.HashSplit;
import org.meftspark.data.UnusableInputException;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.Sessions;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;

/** The whole job in local[2] on the project's own fixtures (PreprocessFixtures). */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PreprocessJobTest {
    static SparkSession spark;
    @TempDir
    static Path dir;
    static Path inputs;

    @BeforeAll
    static void start() throws Exception {
        spark = Sessions.create("meft-preprocess-test", "local[2]", Map.of("spark.sql.shuffle.partitions", "2"));
        inputs = dir.resolve("in");
        PreprocessFixtures.writeInputs(spark, inputs);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static List<TokenizedExample> readBack(Path out) throws Exception {
        return ShardReader.open(new LocalShardStore(out), ByteTokenizer.FINGERPRINT).rows().toList();
    }

    private static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyValidRowIsWrittenEveryBadOneCountedAndKeptAsideAndContaminationRemoved() throws Exception {
        Path out = dir.resolve("e2e");
        Preprocess.Result r = Preprocess.run(spark, PreprocessFixtures.config(inputs, out,
                "data.remove_contaminated=true"));
        Manifest m = r.manifest();

        // Contamination: the GSM8K training twin of a test question is found and removed.
        assertThat(m.contamination()).isNotNull();
        assertThat(m.contamination().pairs()).isEqualTo(1);
        assertThat(m.contamination().removed()).isEqualTo(1);
        assertThat(m.contamination().pairsByDatasets()).containsEntry("gsm8k -> gsm8k/test", 1L);
        Map<String, Long> expected = new TreeMap<>(PreprocessFixtures.REJECTED);
        expected.put("contaminated", 1L);
        assertThat(m.rejected()).isEqualTo(expected);

        List<TokenizedExample> rows = readBack(out);
        assertThat(rows).hasSize(PreprocessFixtures.VALID_ROWS - 1);
        assertThat(m.totalRows()).isEqualTo(rows.size());
        assertThat(rows.stream().map(TokenizedExample::id).distinct()).hasSize(rows.size());
        assertThat(rows).noneMatch(e -> e.split().equals("train") && e.source().contains("gsm8k-train.jsonl:1"));
        assertThat(rows).anyMatch(e -> e.split().equals("test") && e.source().contains("gsm8k-test.jsonl:1"));
        Map<String, Long> byDataset = rows.stream().collect(Collectors.groupingBy(TokenizedExample::dataset,
                TreeMap::new, Collectors.counting()));
        assertThat(byDataset).isEqualTo(Map.of("gsm8k", 4L, "nq_open", 7L, "squad", 2L, "toolbench", 1L));
        // The duplicate question: the copy on line 1 stays, line 9 is the reject.
        assertThat(rows).anyMatch(e -> e.source().endsWith("nq.jsonl:1"));
        assertThat(rows).noneMatch(e -> e.source().endsWith("nq.jsonl:9"));
        // Parquet rows keep their file and row index as source.
        assertThat(rows).anyMatch(e -> e.source().contains("nq-parquet/part-") && e.source().endsWith("#0"));
        // Inputs without a split are split by hashing the id; given splits are kept.
        for (TokenizedExample e : rows) {
            if (e.source().contains("/nq.jsonl")) {
                assertThat(e.split()).as(e.id()).isEqualTo(HashSplit.assign(e.id(), 0.3));
            }
        }
        assertThat(rows).filteredOn(e -> e.dataset().equals("squad")).extracting(TokenizedExample::split)
                .containsOnly("dev");
        assertThat(rows.get(0).references()).isNotEmpty();

        // Shards: one split each, balanced by tokens (600 per shard wanted), files named without gaps.
        assertThat(m.shards()).hasSizeGreaterThan(2);
        for (int i = 0; i < m.shards().size(); i++) {
            Manifest.Shard s = m.shards().get(i);
            assertThat(s.file()).isEqualTo(String.format("part-%05d.arrow", i));
            assertThat(s.rowsBySplit()).hasSize(1);
        }
        assertThat(m.countsBySplit().keySet()).contains("dev", "test", "train");
        assertThat(m.settings()).containsEntry("max_length", "512").containsKey("inputs");

        // _rejects holds every rejected record with its reason, as counted.
        List<Map<String, Object>> rejects = PreprocessFixtures.jsonLines(out.resolve("_rejects"));
        Map<String, Long> counted = new TreeMap<>();
        rejects.forEach(x -> counted.merge((String) x.get("reason"), 1L, Long::sum));
        assertThat(counted).isEqualTo(expected);
        assertThat(rejects).anySatisfy(x -> {
            assertThat(x.get("reason")).isEqualTo("malformed_json");
            assertThat((String) x.get("source")).endsWith("nq.jsonl:2");
            assertThat((String) x.get("message")).isNotBlank();
        });
        assertThat(rejects).anySatisfy(x -> {
            assertThat(x.get("reason")).isEqualTo("duplicate_id");
            assertThat((String) x.get("message")).contains("nq.jsonl:1");
        });
        // Content words (stop words out) of the twins: 11 each, 10 shared ("may" vs "june"): 10/12.
        assertThat(PreprocessFixtures.jsonLines(out.resolve("_contamination"))).singleElement()
                .satisfies(p -> assertThat((Double) p.get("similarity")).isCloseTo(10.0 / 12, within(1e-9)));

        assertThat(r.table()).contains("gsm8k", "nq_open", "malformed_json", "contamination", "1 removed");
        // Nothing but the output: no staging directory, no attempt files.
        assertThat(names(dir)).noneMatch(n -> n.contains("staging"));
        assertThat(names(out)).noneMatch(n -> n.contains("attempt") || n.endsWith(".tmp"));
    }

    @Test
    void aRerunRefusesToOverwriteUnlessAskedAndThenWritesTheSameBytes() throws Exception {
        Path out = dir.resolve("rerun");
        Manifest first = Preprocess.run(spark, PreprocessFixtures.config(inputs, out)).manifest();
        // Contamination is reported but, by default, not removed.
        assertThat(first.contamination().pairs()).isEqualTo(1);
        assertThat(first.contamination().removed()).isZero();
        assertThat(first.totalRows()).isEqualTo(PreprocessFixtures.VALID_ROWS);
        byte[] manifest = Files.readAllBytes(out.resolve("manifest.json"));

        assertThatThrownBy(() -> Preprocess.run(spark, PreprocessFixtures.config(inputs, out)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("refusing to overwrite")
                .hasMessageContaining("data.overwrite");
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(manifest);

        Manifest second = Preprocess.run(spark, PreprocessFixtures.config(inputs, out, "data.overwrite=true"))
                .manifest();
        // Same input, same config: the same shards, byte for byte, and no leftovers.
        assertThat(second.shards()).isEqualTo(first.shards());
        assertThat(names(out).stream().filter(n -> n.startsWith("part-"))).hasSize(first.shards().size());
        assertThat(names(dir)).noneMatch(n -> n.contains("staging") || n.contains("replaced"));
        assertThat(readBack(out)).hasSize(PreprocessFixtures.VALID_ROWS);
    }

    @Test
    void anUnusableInputFailsTheRunNamingTheFileAndLeavesNoOutput() throws Exception {
        Path bad = dir.resolve("bad-in");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("data-00000-of-00001.arrow"), "this is not an Arrow stream at all");
        Path out = dir.resolve("failed");
        Path cfgDir = Files.createDirectories(dir.resolve("failed-cfg"));
        Files.writeString(cfgDir.resolve("run.yaml"), """
                data:
                  inputs:
                    - {dataset: gsm8k, path: "%s/gsm8k-train.jsonl", split: train}
                    - {dataset: nq_open, path: "%s", format: hf_arrow, split: train}
                  shards: "%s"
                model: {tokenizer: byte}
                spark: {partitions: 2}
                """.formatted(inputs, bad, out));
        assertThatThrownBy(() -> Preprocess.run(spark, org.meftspark.config.RunConfigLoader.load(
                cfgDir.resolve("run.yaml"), List.of())))
                .isInstanceOf(UnusableInputException.class).hasMessageContaining("data-00000-of-00001.arrow");
        assertThat(out).doesNotExist();
        assertThat(names(dir)).noneMatch(n -> n.contains("staging"));

        // A missing path is refused before any work, naming the config entry.
        Files.writeString(cfgDir.resolve("run.yaml"), """
                data:
                  inputs: [{dataset: gsm8k, path: "%s/nope.jsonl"}]
                  shards: "%s"
                model: {tokenizer: byte}
                """.formatted(inputs, out));
        assertThatThrownBy(() -> Preprocess.run(spark, org.meftspark.config.RunConfigLoader.load(
                cfgDir.resolve("run.yaml"), List.of())))
                .isInstanceOf(UnusableInputException.class).hasMessageContaining("data.inputs[0]")
                .hasMessageContaining("nope.jsonl").hasMessageContaining("does not exist");
        assertThat(out).doesNotExist();
    }
}
