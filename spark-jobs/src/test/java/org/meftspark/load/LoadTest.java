package org.meftspark.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.jobs.score.ScoreBenchmark;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.MetricsJson;
import org.meftspark.shard.Manifest;
import org.meftspark.spark.Launchers;

/**
 * Issue 9, item 8: a million records through preprocessing and a million predictions through ScoreJob, each
 * started as a user starts it ({@code bin/meft}, local[2]) in its own JVM with a stated heap (-Xmx1g, or
 * {@code -Dmeft.load.heap=512m}),
 * must finish and account for every row. Time, heap and RSS are measured ({@link LoadMeasurement}) and printed
 * as table rows for docs/reliability.md.
 *
 * <p>Off by default (minutes each; CI stays fast, the class still compiles):
 * {@code mvn -B -o -pl spark-jobs -am verify -Dtest=LoadTest -Dsurefire.failIfNoSpecifiedTests=false -Dmeft.load=true}.
 */
@Tag("load")
@EnabledIfSystemProperty(named = "meft.load", matches = "true")
class LoadTest {
    static final String HEAP = System.getProperty("meft.load.heap", "1g");
    static final int RECORDS = 1_000_000;
    static final Duration LIMIT = Duration.ofMinutes(40);

    @TempDir
    Path dir;

    /**
     * The synth package's fact world (bin/meft make-facts): 40,000 towns give 600,000 training questions and
     * 400,000 held-out paraphrases, all distinct, read by the NQ-open reader. The contamination check is off here: this
     * measures the rest of the job; ContaminationBenchmark measures the check at the same size (docs/benchmarks.md).
     */
    @Test
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    void preprocessesAMillionSyntheticRecordsInABoundedHeap() throws Exception {
        Path facts = dir.resolve("facts");
        Launchers.run(List.of("bin/meft", "make-facts", "--facts", "200000", "--out", facts.toString()), 0);
        assertThat(lines(facts.resolve("train.jsonl")) + lines(facts.resolve("heldout.jsonl"))).isEqualTo(RECORDS);
        Path shards = dir.resolve("shards");
        Path cfg = dir.resolve("load.yaml");
        Files.writeString(cfg, """
                data:
                  inputs:
                    - {dataset: nq_open, path: "%1$s/train.jsonl", split: train}
                    - {dataset: nq_open, path: "%1$s/heldout.jsonl", split: dev}
                  shards: "%2$s"
                  max_length: 256
                  contamination_check: false
                model: {tokenizer: byte}
                spark: {master: "local[2]"}
                """.formatted(facts, shards));
        LoadMeasurement m = LoadMeasurement.run(List.of("bin/meft", "preprocess", "--config", cfg.toString()), HEAP,
                dir.resolve("gc-preprocess.log"), LIMIT);
        Manifest manifest = Manifest.fromJson(Files.readAllBytes(shards.resolve(Manifest.FILE_NAME)), "manifest.json");
        assertThat(manifest.totalRows()).as("rows in the shards").isEqualTo(RECORDS);
        assertThat(manifest.rejected()).isEmpty();
        assertThat(manifest.countsBySplit()).containsEntry("train", 600_000L).containsEntry("dev", 400_000L);
        m.stdout().forEach(System.out::println);
        System.out.println(m.row("preprocess (make-facts, byte tokenizer, max_length 256)", RECORDS));
    }

    /** ScoreBenchmark's inputs (raw NQ-open references, JSONL predictions), scored with the default bootstrap. */
    @Test
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    void scoresAMillionPredictionsInABoundedHeap() throws Exception {
        ScoreBenchmark.Inputs in = ScoreBenchmark.writeInputs(dir.resolve("inputs"), RECORDS, 7, (e, text) -> { });
        Path out = dir.resolve("scores");
        LoadMeasurement m = LoadMeasurement.run(List.of("bin/meft", "score", "--predictions", in.predictions().toString(),
                "--references", in.references().toString(), "--dataset", "nq_open", "--out", out.toString(),
                "--master", "local[2]"), HEAP, dir.resolve("gc-score.log"), LIMIT);
        EvaluationSummary s = MetricsJson.read(out.resolve("metrics.json"));
        assertThat(s.datasets().get("nq_open").rows()).as("rows scored").isEqualTo(RECORDS);
        assertThat(s.datasets().get("nq_open").scored()).isEqualTo(RECORDS);
        m.stdout().forEach(System.out::println);
        System.out.println(m.row("score (NQ-open, EM/F1/contains, 1,000 bootstrap resamples)", RECORDS));
    }

    private static long lines(Path file) throws IOException {
        try (Stream<String> s = Files.lines(file)) {
            return s.count();
        }
    }
}
