package org.meftspark.jobs.score;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.DataSection;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.metrics.TaskScorer;
import org.meftspark.spark.Sessions;

/**
 * ScoreJob throughput (docs/benchmarks.md): {@code rows} synthetic NQ-open references (raw JSONL, read
 * by the dataset reader as a user's file would be) and as many predictions (JSONL: a third exact, a
 * third near misses, a third wrong), scored by the whole job on {@code master}, against a
 * single-threaded loop over the same {@link TaskScorer} calls in the same run.
 */
public final class ScoreBenchmark {
    private ScoreBenchmark() {
    }

    /**
     * @param rows           prediction rows
     * @param jobSeconds     wall time of Score.run (read, join, score, Parquet, aggregate, commit)
     * @param loopSeconds    wall time of the single-threaded TaskScorer loop over in-memory rows
     * @param scoredRows     rows the job scored (must equal rows)
     */
    public record Result(long rows, double jobSeconds, double loopSeconds, long scoredRows) {
        public double jobRowsPerSecond() {
            return rows / jobSeconds;
        }

        public double loopRowsPerSecond() {
            return rows / loopSeconds;
        }
    }

    /** The two input files of a run: raw NQ-open references and JSONL predictions for them. */
    public record Inputs(Path references, Path predictions) {
    }

    /**
     * Writes {@code rows} references and one prediction per reference, streaming (the load test of issue 9
     * writes a million under a small heap); {@code each} sees every example with its prediction, in order.
     */
    public static Inputs writeInputs(Path work, int rows, long seed, BiConsumer<Example, String> each) throws IOException {
        Files.createDirectories(work);
        Path refs = work.resolve("NQ-open.bench.jsonl");
        Path preds = work.resolve("predictions.jsonl");
        SplittableRandom random = new SplittableRandom(seed);
        String[] words = {"river", "guild", "founder", "harbour", "festival", "bridge", "market", "tower"};
        try (BufferedWriter r = Files.newBufferedWriter(refs, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rows; i++) {
                String w = words[random.nextInt(words.length)];
                r.write("{\"question\": \"which " + w + " of town " + i + " is the oldest\", \"answer\": [\"The "
                        + w + " of Town " + i + "\", \"old " + w + " " + i + "\"]}\n");
            }
        }
        // The ids come from the library reader, exactly as the job will compute them.
        try (ReadResults rr = DatasetReaders.open(Dataset.NQ_OPEN, "eval", refs, ReaderOptions.DEFAULTS);
             BufferedWriter p = Files.newBufferedWriter(preds, StandardCharsets.UTF_8)) {
            while (rr.hasNext()) {
                if (rr.next() instanceof Example e) {
                    String gold = e.references().get(0);
                    String text = switch (random.nextInt(3)) {
                        case 0 -> gold.toLowerCase(java.util.Locale.ROOT);
                        case 1 -> "it is " + gold + ", I think";
                        default -> "nobody knows";
                    };
                    each.accept(e, text);
                    p.write("{\"id\": \"" + e.id() + "\", \"prediction\": \"" + text + "\"}\n");
                }
            }
        }
        return new Inputs(refs, preds);
    }

    public static Result run(Path work, int rows, String master, int bootstrapSamples, long seed) throws IOException {
        List<Example> examples = new ArrayList<>(rows);
        List<String> predictions = new ArrayList<>(rows);
        Inputs in = writeInputs(work, rows, seed, (e, text) -> {
            examples.add(e);
            predictions.add(text);
        });
        Path refs = in.references();
        Path preds = in.predictions();

        long t0 = System.nanoTime();
        long sink = 0;
        for (int i = 0; i < examples.size(); i++) {
            sink += TaskScorer.score(Dataset.NQ_OPEN, predictions.get(i), examples.get(i).references()).values().size();
        }
        double loop = (System.nanoTime() - t0) / 1e9;
        if (sink == 0) {
            throw new IllegalStateException("the loop scored nothing");
        }

        Score.Result r;
        long t1 = System.nanoTime();
        try (SparkSession spark = Sessions.create("meft-score-benchmark", master, Map.of())) {
            r = Score.run(spark, new Score.Options(preds.toString(), Score.PredictionFormat.JSONL, refs.toString(),
                    Dataset.NQ_OPEN, DataSection.Format.AUTO, work.resolve("scores").toString(), true, "bench",
                    bootstrapSamples, seed, 10, 0));
        }
        double job = (System.nanoTime() - t1) / 1e9;
        return new Result(examples.size(), job, loop, r.counts().get("scored_rows"));
    }
}
