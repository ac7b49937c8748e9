package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.Sessions;
import org.meftspark.tokenize.TokenizedExample;

/**
 * The job over the real public files in ../shared/datasets with the real Mistral tokenizer:
 * every record of every file is accounted for (a shard row or a counted reject), and GSM8K's
 * gold numbers survive into the shards. Skipped with a message when ../shared is absent.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PreprocessRealDatasetsTest {
    @TempDir
    Path dir;

    @Test
    void everyRecordOfTheRealFilesIsAShardRowOrACountedReject() throws Exception {
        Path shared = LaunchEnvironment.current().root().resolve("../shared").normalize();
        Path data = shared.resolve("datasets");
        Path tokenizer = shared.resolve("tokenizers/mistral/tokenizer.json");
        assumeTrue(Files.isDirectory(data) && Files.isRegularFile(tokenizer),
                () -> "skipped: " + data + " or " + tokenizer + " is absent (real public files live in ../shared)");
        ObjectMapper json = new ObjectMapper();
        // Records per dataset as published (../shared/datasets/README.md).
        Map<String, Long> records = new TreeMap<>(Map.of(
                "gsm8k", lines(data.resolve("gsm8k/train.jsonl")) + lines(data.resolve("gsm8k/test.jsonl")),
                "nq_open", lines(data.resolve("nq_open/NQ-open.dev.jsonl")),
                "squad", 501L,
                "toolbench", (long) json.readTree(data.resolve("toolbench/G1_query.json").toFile()).size()
                        + json.readTree(data.resolve("toolbench/G2_query.json").toFile()).size()));
        assertThat(records.get("gsm8k")).isEqualTo(7473 + 1319);
        assertThat(records.get("nq_open")).isEqualTo(3610);

        Path out = dir.resolve("shards");
        Path cfg = dir.resolve("real.yaml");
        Files.writeString(cfg, """
                data:
                  inputs:
                    - {dataset: gsm8k, path: "%1$s/gsm8k/train.jsonl", split: train}
                    - {dataset: gsm8k, path: "%1$s/gsm8k/test.jsonl", split: test}
                    - {dataset: nq_open, path: "%1$s/nq_open/NQ-open.dev.jsonl", split: test}
                    - {dataset: squad, path: "%1$s/squad/squad-v1.1-dev-subset.json", split: dev}
                    - {dataset: toolbench, path: "%1$s/toolbench", split: train}
                  shards: "%2$s"
                  max_length: 1024
                model:
                  tokenizer: "%3$s"
                spark:
                  partitions: 2
                """.formatted(data, out, tokenizer));
        SparkSession spark = Sessions.create("meft-preprocess-real", "local[2]",
                Map.of("spark.sql.shuffle.partitions", "2"));
        Preprocess.Result r;
        try {
            r = Preprocess.run(spark, RunConfigLoader.load(cfg, List.of()));
        } finally {
            spark.stop();
        }
        System.out.println(r.table());
        Manifest m = r.manifest();
        assertThat(m.tokenizerFingerprint()).hasSize(64);

        Map<String, Long> rows = new TreeMap<>();
        Pattern gold = Pattern.compile("####\\s*(.+)$");
        Map<String, String> gsmGoldBySource = new TreeMap<>();
        try (var lines = Files.lines(data.resolve("gsm8k/test.jsonl"))) {
            int[] n = {0};
            lines.forEach(l -> {
                n[0]++;
                try {
                    Matcher g = gold.matcher((String) json.readValue(l, Map.class).get("answer"));
                    if (g.find()) {
                        gsmGoldBySource.put(":" + n[0], g.group(1).strip().replace(",", ""));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        int checkedGold = 0;
        List<TokenizedExample> all = ShardReader.open(new LocalShardStore(out), m.tokenizerFingerprint()).rows()
                .toList();
        for (TokenizedExample e : all) {
            rows.merge(e.dataset(), 1L, Long::sum);
            assertThat(e.references()).isNotEmpty();
            if (e.dataset().equals("gsm8k") && e.split().equals("test")) {
                String line = e.source().substring(e.source().lastIndexOf(':'));
                assertThat(e.references()).containsExactly(gsmGoldBySource.get(line));
                checkedGold++;
            }
        }
        assertThat(checkedGold).isGreaterThan(1300);
        assertThat(all.stream().map(TokenizedExample::id).distinct().count()).isEqualTo(all.size());

        Map<String, Long> rejected = new TreeMap<>();
        PreprocessFixtures.jsonLines(out.resolve("_rejects"))
                .forEach(x -> rejected.merge((String) x.get("dataset"), 1L, Long::sum));
        for (String d : records.keySet()) {
            assertThat(rows.getOrDefault(d, 0L) + rejected.getOrDefault(d, 0L)).as(d).isEqualTo(records.get(d));
        }
        assertThat(m.totalRows() + m.rejected().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(records.values().stream().mapToLong(Long::longValue).sum());
        assertThat(m.contamination()).isNotNull();
    }

    private static long lines(Path p) throws Exception {
        try (var s = Files.lines(p)) {
            return s.filter(l -> !l.isBlank()).count();
        }
    }
}
