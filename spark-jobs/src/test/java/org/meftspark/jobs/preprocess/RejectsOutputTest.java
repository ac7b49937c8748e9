package org.meftspark.jobs.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.Reject;
import org.meftspark.spark.Sessions;
import org.meftspark.tokenize.TokenizedExample;

/**
 * The tally's counts, and {@code _rejects/} written both ways (by the driver from the tally, by Spark when
 * a partition had too many to bring back): the same lines in the same order.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RejectsOutputTest {
    static SparkSession spark;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = Sessions.create("meft-rejects-test", "local[2]", Map.of());
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** 40 rows and 25 rejects over 3 partitions, sources deliberately out of order and one source twice. */
    private static JavaRDD<Outcome<TokenizedExample>> records() {
        List<Outcome<TokenizedExample>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(Outcome.ok(new TokenizedExample("id" + i, "gsm8k", i % 4 == 0 ? "dev" : "train",
                    new int[] {1, 2, 3, 4 + i % 3}, 2, List.of("a"), "f.jsonl:" + i, i % 10 == 0 ? 1 : 0)));
        }
        for (int i = 24; i >= 0; i--) {
            all.add(Outcome.rejected(new Reject(i % 3 == 0 ? "malformed_json" : "missing_field", "bad " + i,
                    "f.jsonl:" + (i == 7 ? 8 : i), i % 2 == 0 ? "gsm8k" : "squad", "")));
        }
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(all, 3);
    }

    private static List<String> lines(Path d) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                out.addAll(Files.readAllLines(p));
            }
        }
        return out;
    }

    @Test
    void theDriverAndSparkWriteTheSameSortedLinesAndTheTallyCountsEveryRecord() throws Exception {
        Tally few = Tally.of(records(), 1000);
        Tally many = Tally.of(records(), 5); // every partition holds more than 5 rejects
        assertThat(few.allRejects()).isTrue();
        assertThat(few.rejects()).hasSize(25);
        assertThat(many.allRejects()).isFalse();
        assertThat(many.rejects()).isEmpty();
        for (Tally t : List.of(few, many)) {
            assertThat(t.rejected()).isEqualTo(25);
            assertThat(t.rejectCounts()).containsEntry("malformed_json\tgsm8k", 5L).containsEntry("malformed_json\tsquad", 4L)
                    .containsEntry("missing_field\tgsm8k", 8L).containsEntry("missing_field\tsquad", 8L);
            // rows, tokens, truncated, unanswerable, rejects, counted rejects (these rejects have no split)
            assertThat(t.byDatasetSplit().get("gsm8k\ttrain")).containsExactly(30, 30 * 4, 2, 0, 0, 0);
            assertThat(t.byDatasetSplit().get("gsm8k\tdev")).containsExactly(10, 40, 2, 0, 0, 0);
            assertThat(t.byDatasetSplit().get("gsm8k\t")[Tally.REJECTED]).isEqualTo(13);
            assertThat(t.byPartition().stream().mapToLong(p -> p.rows()).sum()).isEqualTo(40);
        }

        Path byDriver = dir.resolve("driver");
        Path bySpark = dir.resolve("spark");
        RejectsOutput.write(few, records(), new org.apache.hadoop.fs.Path(byDriver.toUri()), new Configuration());
        RejectsOutput.write(many, records(), new org.apache.hadoop.fs.Path(bySpark.toUri()), new Configuration());
        List<String> driver = lines(byDriver);
        assertThat(driver).hasSize(25).isEqualTo(lines(bySpark));
        assertThat(driver.get(0)).contains("\"source\":\"f.jsonl:0\"");
        // Sorted by source as text (f.jsonl:10 before f.jsonl:2), and the two lines of f.jsonl:8 by their text.
        assertThat(driver.get(2)).contains("\"source\":\"f.jsonl:10\"");
        assertThat(driver.stream().filter(l -> l.contains("f.jsonl:8\"")).toList())
                .containsExactly(driver.stream().filter(l -> l.contains("f.jsonl:8\"")).sorted().toList().toArray(String[]::new));
        assertThat(byDriver.resolve("_SUCCESS")).exists();
        assertThat(bySpark.resolve("_SUCCESS")).exists();
    }
}
