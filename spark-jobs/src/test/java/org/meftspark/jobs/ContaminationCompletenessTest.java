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
import org.meftspark.jobs.preprocess.NearDuplicates;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.shard.Manifest;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.Sessions;

/**
 * The contamination check is complete (issue 20 item 3): on templated questions ("who founded the town of X"), whose
 * MinHash buckets each held a third of both sides and had to be skipped, prefix filtering compares only pairs sharing a
 * rare word and finds every pair at the threshold: exactly what comparing every pair finds, and every planted
 * near-duplicate.
 */
@Tag("integration")
class ContaminationCompletenessTest {
    /** A near-duplicate pair: 5 of the 6 content words shared (Jaccard 5/6), none of the template's. */
    private static final String PLANTED_TRAIN = "which composer wrote the famous moonlight sonata for piano";
    private static final String PLANTED_EVAL = "which composer wrote the moonlight sonata for the piano";

    static SparkSession spark;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = Sessions.create("meft-contamination-completeness-test", "local[2]",
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
    void templatedQuestionsAreComparedInSmallBucketsAndOnlyThePlantedPairIsFound() throws Exception {
        // 20,001 x 20,001 pairs: above data.contamination_exact_max_pairs, so Spark's prefix filter runs.
        Path in = templated("big", 20_000);
        Path out = dir.resolve("big-out");
        Preprocess.Result r = Preprocess.run(spark, config(in, out));
        Manifest.Contamination c = r.manifest().contamination();
        assertThat(c.method()).isEqualTo(Manifest.Contamination.PREFIX_FILTER);
        // Templated questions are only 2/4 similar (founded, town + one entity each): the planted pair alone.
        assertThat(pairs(out)).containsExactly(PLANTED_TRAIN + " | " + PLANTED_EVAL);
        assertThat(c.pairs()).isEqualTo(1);
        // Each templated question's prefix is its own entity: no bucket holds both sides but the planted pair's.
        assertThat(c.comparedPairs()).isBetween(1L, 5L);
        assertThat(c.largestBucketPairs()).as("the planted pair, in one role or both").isBetween(1L, 2L);
        assertThat(r.table()).contains("prefix filtering, complete", "candidate pairs compared")
                .doesNotContain("WARNING");
        Manifest onDisk = Manifest.fromJson(Files.readAllBytes(out.resolve(Manifest.FILE_NAME)), "test");
        assertThat(onDisk.contamination()).isEqualTo(c);

        // A manifest written by the MinHash check before issue 20 (its keys, no method) still reads.
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                new ObjectMapper().readTree(r.manifest().toJson());
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode)
                tree.get("contamination");
        old.remove(List.of("method", "compared_pairs", "largest_bucket_pairs", "largest_bucket"));
        old.put("hash_tables", 16).put("max_bucket_pairs", 1_000_000).put("skipped_buckets", 3)
                .put("skipped_candidate_pairs", 5_000_000);
        Manifest.Contamination before = Manifest.fromJson(new ObjectMapper().writeValueAsBytes(tree), "old")
                .contamination();
        assertThat(before.pairs()).isEqualTo(c.pairs());
        assertThat(before.method()).isNull();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void thePrefixFilterFindsExactlyThePairsThatComparingEveryPairFinds() throws Exception {
        // Questions of 2 to 9 words from 24 content words: thousands of pairs near any threshold.
        Path in = Files.createDirectories(dir.resolve("dense"));
        java.util.Random rnd = new java.util.Random(5);
        List<String> vocabulary = List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra",
                "tango", "uniform", "victor", "whiskey", "xray");
        ObjectMapper json = new ObjectMapper();
        for (String split : List.of("train", "test")) {
            try (BufferedWriter w = Files.newBufferedWriter(in.resolve(split + ".jsonl"))) {
                for (int i = 0; i < (split.equals("train") ? 500 : 300); i++) {
                    StringBuilder q = new StringBuilder("what about");
                    for (int k = 2 + rnd.nextInt(8); k > 0; k--) {
                        q.append(' ').append(vocabulary.get(rnd.nextInt(8 + rnd.nextInt(16))));
                    }
                    w.write(json.writeValueAsString(Map.of("question", q + "?", "answer", List.of(split + i))));
                    w.newLine();
                }
            }
        }
        for (String[] settings : new String[][] {{"0.7", "1"}, {"0.5", "2"}, {"0.34", "1"}}) {
            String t = "data.contamination_threshold=" + settings[0];
            String k = "data.contamination_shingle_words=" + settings[1];
            String tag = settings[0] + "-" + settings[1];
            Path allOut = dir.resolve("all-" + tag);
            Manifest.Contamination all = Preprocess.run(spark, config(in, allOut, t, k)).manifest().contamination();
            Path prefixOut = dir.resolve("prefix-" + tag);
            Manifest.Contamination prefix = Preprocess.run(spark, config(in, prefixOut, t, k,
                    "data.contamination_exact_max_pairs=0")).manifest().contamination();
            assertThat(all.method()).isEqualTo(Manifest.Contamination.ALL_PAIRS);
            assertThat(prefix.method()).isEqualTo(Manifest.Contamination.PREFIX_FILTER);
            assertThat(all.pairs()).as("pairs at %s", tag).isGreaterThan(20);
            assertThat(similarities(prefixOut)).as("pairs at %s", tag).isEqualTo(similarities(allOut));
            assertThat(prefix.pairs()).isEqualTo(all.pairs());
            assertThat(prefix.trainExamples()).isEqualTo(all.trainExamples());
            // and with less work than every pair (500 x 300) where the threshold is high
            if (!settings[0].equals("0.34")) {
                assertThat(prefix.comparedPairs()).isLessThan(all.comparedPairs());
            }
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyPlantedNearDuplicateAmongTemplatedRecordsIsFound() throws Exception {
        Path in = templated("planted", 10_000);
        List<String> evalQuestions = Files.readAllLines(in.resolve("test.jsonl")).stream()
                .map(l -> readQuestion(l)).toList();
        List<NearDuplicates.Planted> planted = NearDuplicates.of(evalQuestions, 200, 0.7, 0.95, 1, 11);
        assertThat(planted).hasSize(200);
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter w = Files.newBufferedWriter(in.resolve("train.jsonl"), java.nio.file.StandardOpenOption.APPEND)) {
            for (NearDuplicates.Planted p : planted) {
                w.write(json.writeValueAsString(Map.of("question", p.question(), "answer", List.of("planted"))));
                w.newLine();
            }
        }
        Path out = dir.resolve("planted-out");
        Manifest.Contamination c = Preprocess.run(spark, config(in, out)).manifest().contamination();
        assertThat(c.method()).isEqualTo(Manifest.Contamination.PREFIX_FILTER);
        Set<String> found = pairs(out);
        for (NearDuplicates.Planted p : planted) {
            assertThat(found).as("planted at Jaccard %.3f", p.similarity()).contains(p.question() + " | " + p.original());
        }
        // nothing else: the templated questions are 2/4 similar to each other
        assertThat(found).hasSize(planted.size() + 1);
    }

    private static String readQuestion(String jsonLine) {
        try {
            return new ObjectMapper().readTree(jsonLine).get("question").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** train question | eval question -> Jaccard similarity, of the pairs written to _contamination. */
    private static Map<String, Double> similarities(Path out) throws IOException {
        return PreprocessFixtures.jsonLines(out.resolve("_contamination")).stream()
                .collect(Collectors.toMap(p -> p.get("train_question") + " | " + p.get("eval_question"),
                        p -> ((Number) p.get("similarity")).doubleValue(), (x, y) -> x));
    }
}
