package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
import org.meftspark.shard.Manifest;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.Sessions;

/**
 * The contamination check on templated questions ("who founded the town of X"): nearly every
 * MinHash bucket is shared by a third of both sides, so without data.contamination_max_bucket_pairs
 * the candidate join is quadratic. With it the job finishes, says what it skipped, and still finds
 * a real near-duplicate whose distinctive words put it in small buckets.
 */
@Tag("integration")
class ContaminationCapTest {
    /** A near-duplicate pair: 5 of the 6 content words shared (Jaccard 5/6), none of the template's. */
    private static final String PLANTED_TRAIN = "which composer wrote the famous moonlight sonata for piano";
    private static final String PLANTED_EVAL = "which composer wrote the moonlight sonata for the piano";

    static SparkSession spark;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = Sessions.create("meft-contamination-cap-test", "local[2]",
                Map.of("spark.sql.shuffle.partitions", "2"));
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** A distinct one-word entity per index (letters only, so the tokenizer keeps it one word). */
    private static String entity(int i) {
        StringBuilder sb = new StringBuilder("q");
        do {
            sb.append((char) ('a' + i % 26));
            i /= 26;
        } while (i > 0);
        return sb.toString();
    }

    /** {@code perSide} templated train and test questions (distinct entities) plus the planted pair. */
    private static Path templated(String name, int perSide) throws IOException {
        Path in = Files.createDirectories(dir.resolve(name));
        ObjectMapper json = new ObjectMapper();
        for (String split : List.of("train", "test")) {
            try (BufferedWriter w = Files.newBufferedWriter(in.resolve(split + ".jsonl"))) {
                int offset = split.equals("train") ? 0 : perSide;
                for (int i = 0; i < perSide; i++) {
                    w.write(json.writeValueAsString(Map.of("question",
                            "who founded the town of " + entity(offset + i), "answer", List.of("someone"))));
                    w.newLine();
                }
                w.write(json.writeValueAsString(Map.of("question",
                        split.equals("train") ? PLANTED_TRAIN : PLANTED_EVAL, "answer", List.of("Beethoven"))));
                w.newLine();
            }
        }
        return in;
    }

    private static RunConfig config(Path in, Path out, String... overrides) throws IOException {
        String yaml = """
                data:
                  inputs:
                    - {dataset: nq_open, path: "%1$s/train.jsonl", split: train}
                    - {dataset: nq_open, path: "%1$s/test.jsonl", split: test}
                  shards: "%2$s"
                  templates: "%3$s/conf/templates"
                  max_length: 512
                model:
                  tokenizer: byte
                spark:
                  partitions: 2
                """.formatted(in, out, LaunchEnvironment.current().root());
        Path file = in.resolve(out.getFileName() + ".yaml");
        Files.writeString(file, yaml);
        return RunConfigLoader.load(file, List.of(overrides));
    }

    private static Set<String> pairs(Path out) throws IOException {
        return PreprocessFixtures.jsonLines(out.resolve("_contamination")).stream()
                .map(p -> p.get("train_question") + " | " + p.get("eval_question")).collect(Collectors.toSet());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void templatedQuestionsFinishWithTheDefaultCapReportWhatWasSkippedAndStillFindThePlantedPair()
            throws Exception {
        Path in = templated("big", 20_000);
        Path out = dir.resolve("big-out");
        Preprocess.Result r = Preprocess.run(spark, config(in, out));
        Manifest.Contamination c = r.manifest().contamination();

        assertThat(c.maxBucketPairs()).isEqualTo(1_000_000L);
        // A band key is the template's words in about (2/3)^3 of the questions: thousands a side.
        assertThat(c.skippedBuckets()).isPositive();
        assertThat(c.skippedCandidatePairs()).isGreaterThan(c.skippedBuckets() * 1_000_000L);
        // Templated questions are only 2/4 similar (founded, town + one entity each): the planted pair alone.
        assertThat(pairs(out)).containsExactly(PLANTED_TRAIN + " | " + PLANTED_EVAL);
        assertThat(r.table()).contains("WARNING", c.skippedBuckets() + " MinHash bucket(s)",
                "data.contamination_max_bucket_pairs", "data.contamination_shingle_words");
        // The manifest on disk says the same.
        Manifest onDisk = Manifest.fromJson(Files.readAllBytes(out.resolve(Manifest.FILE_NAME)), "test");
        assertThat(onDisk.contamination()).isEqualTo(c);

        // A manifest written before the cap (no such keys) still reads, its counts as 0.
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                new ObjectMapper().readTree(r.manifest().toJson());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("contamination"))
                .remove(List.of("max_bucket_pairs", "skipped_buckets", "skipped_candidate_pairs"));
        assertThat(tree.get("contamination").has("skipped_buckets")).isFalse();
        Manifest.Contamination old = Manifest.fromJson(new ObjectMapper().writeValueAsBytes(tree), "old")
                .contamination();
        assertThat(old.pairs()).isEqualTo(c.pairs());
        assertThat(old.maxBucketPairs()).isZero();
        assertThat(old.skippedBuckets()).isZero();
        assertThat(old.skippedCandidatePairs()).isZero();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aCapAboveEveryBucketSkipsNothingAndASmallCapOnlyLosesTemplatedCandidates() throws Exception {
        // 151 x 151 pairs would be compared exactly by default: MinHash is asked for.
        String minHash = "data.contamination_exact_max_pairs=0";
        Path in = templated("small", 150);
        Path uncappedOut = dir.resolve("uncapped");
        Manifest.Contamination uncapped = Preprocess.run(spark, config(in, uncappedOut,
                "data.contamination_max_bucket_pairs=" + Long.MAX_VALUE, minHash)).manifest().contamination();
        assertThat(uncapped.skippedBuckets()).isZero();
        assertThat(uncapped.skippedCandidatePairs()).isZero();

        // The default (1,000,000) is above 151 x 151: same as no cap, and nothing in the table.
        Path defaultOut = dir.resolve("default");
        Preprocess.Result byDefault = Preprocess.run(spark, config(in, defaultOut, minHash));
        assertThat(byDefault.manifest().contamination().skippedBuckets()).isZero();
        assertThat(byDefault.manifest().contamination().pairs()).isEqualTo(uncapped.pairs());
        assertThat(pairs(defaultOut)).isEqualTo(pairs(uncappedOut));
        assertThat(byDefault.table()).doesNotContain("WARNING");

        // 100 pairs: the template's shared buckets (about 50 x 50 questions) go, the planted pair's stay.
        Path cappedOut = dir.resolve("capped");
        Manifest.Contamination capped = Preprocess.run(spark, config(in, cappedOut,
                "data.contamination_max_bucket_pairs=100", minHash)).manifest().contamination();
        assertThat(capped.skippedBuckets()).isPositive();
        assertThat(capped.skippedCandidatePairs()).isGreaterThan(100L * capped.skippedBuckets());
        assertThat(pairs(cappedOut)).isEqualTo(pairs(uncappedOut))
                .containsExactly(PLANTED_TRAIN + " | " + PLANTED_EVAL);

        // Issue 20 item 3: by default this input is small enough to compare every pair on the driver. It finds
        // what MinHash found (here the planted pair) with nothing skipped and no hash tables, and says so.
        Path exactOut = dir.resolve("exact");
        Preprocess.Result exact = Preprocess.run(spark, config(in, exactOut));
        assertThat(exact.manifest().contamination().hashTables()).isZero();
        assertThat(exact.manifest().contamination().skippedBuckets()).isZero();
        assertThat(exact.manifest().contamination().pairs()).isEqualTo(uncapped.pairs());
        assertThat(pairs(exactOut)).isEqualTo(pairs(uncappedOut));
        assertThat(exact.table()).contains("every training x evaluation pair compared").doesNotContain("MinHash");
    }
}
