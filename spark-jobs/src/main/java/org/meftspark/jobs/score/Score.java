package org.meftspark.jobs.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.meftspark.config.DataSection;
import org.meftspark.data.Dataset;
import org.meftspark.jobs.input.InputFile;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.ReadStage;
import org.meftspark.jobs.input.RejectPolicy;
import org.meftspark.jobs.results.EvalRow;
import org.meftspark.jobs.results.Outputs;
import org.meftspark.jobs.results.ResultAggregate;
import org.meftspark.jobs.results.ResultTable;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.RowScore;
import org.meftspark.metrics.RunInfo;
import org.meftspark.metrics.TaskScorer;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.HadoopConf;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.spark.OutputCommit;
import org.meftspark.tokenize.TokenizedExample;
import scala.Tuple2;

/**
 * The scoring job (issue 6, item 4): predictions of any system (JSONL or Parquet of id +
 * prediction) joined by id with references (a shard set, or a raw dataset file read by the
 * preprocessing readers), scored with {@link TaskScorer}, written like EvaluateJob's results.
 *
 * <p>Nothing is dropped silently. A reference without a prediction is scored as an empty answer
 * (as the official SQuAD script scores an unanswered question) and listed in
 * {@code missing_predictions/}; a prediction whose id has no reference cannot be scored and is
 * listed in {@code unknown_predictions/}; of several records with one id the first read is kept
 * (by file and position) and the id is listed in {@code duplicates/}; lines that are not a
 * prediction go to {@code _rejects/}. Each kind is counted in metrics.json.
 */
public final class Score {
    static final OutputCommit.Purpose PURPOSE = new OutputCommit.Purpose("score", "--out", Outputs.METRICS,
            "a scoring result", "Pass --overwrite");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Score() {
    }

    /** Layout of a predictions input ({@link PredictionInput}). */
    public enum PredictionFormat {
        /** Parquet by file name, else told from the first file's first line. */
        AUTO,
        /** One JSON object per line, with id or question, and prediction. */
        JSONL,
        /** Columns id and prediction. */
        PARQUET,
        /** The official SQuAD prediction file: one JSON object {"question id": "answer"}. */
        SQUAD
    }

    /**
     * @param predictions      predictions file or directory (any Hadoop path)
     * @param predictionFormat its layout; auto: Parquet when the path or its files end in .parquet
     * @param references       a shard directory (with manifest.json) or a raw dataset file or directory
     * @param dataset          the raw references' dataset; null for shards
     * @param referenceFormat  the raw references' layout
     * @param out              output directory
     * @param overwrite        replace an existing result at {@code out}
     * @param method           the predictions' label in metrics.json and the report
     * @param bootstrapSamples resamples for the 95% intervals (0: none)
     * @param seed             bootstrap and wrong-answer sample seed
     * @param reportExamples   wrong answers per dataset in the report
     * @param partitions       partitions of the join; 0 lets Spark decide
     * @param maxRejectFraction share of a dataset's references that may go without a prediction, and of the
     *                          prediction records that may be unreadable or unmatched, before the run fails
     */
    public record Options(String predictions, PredictionFormat predictionFormat, String references, Dataset dataset,
                          DataSection.Format referenceFormat, String out, boolean overwrite, String method,
                          int bootstrapSamples, long seed, int reportExamples, int partitions,
                          double maxRejectFraction) {
        /** Options with the default data.max_reject_fraction. */
        public Options(String predictions, PredictionFormat predictionFormat, String references, Dataset dataset,
                       DataSection.Format referenceFormat, String out, boolean overwrite, String method,
                       int bootstrapSamples, long seed, int reportExamples, int partitions) {
            this(predictions, predictionFormat, references, dataset, referenceFormat, out, overwrite, method,
                    bootstrapSamples, seed, reportExamples, partitions, DataSection.MAX_REJECT_FRACTION.defaultValue());
        }
    }

    /**
     * @param summary what metrics.json holds
     * @param output  the committed output
     * @param counts  the input counts (also in metrics.json's run.extra)
     * @param table    the terminal summary
     * @param format   the predictions' format and how it was chosen
     * @param problems why the run lost too much to count as a success ({@link RejectPolicy}); empty when it did not
     */
    public record Result(EvaluationSummary summary, String output, Map<String, Long> counts, String table,
                         String format, List<String> problems) {
    }

    public static Result run(SparkSession spark, Options o) throws IOException {
        long start = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        HadoopConf conf = new HadoopConf(hadoop);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = o.partitions() > 0 ? o.partitions() : jsc.defaultParallelism();
        // Inputs are checked before any work, then the output is prepared.
        PredictionInput.Detected format = PredictionInput.detect(o.predictions(), o.predictionFormat(), hadoop);
        ReferenceSource refs = ReferenceSource.of(o, hadoop);
        OutputCommit commit = OutputCommit.begin(o.out(), o.overwrite(), hadoop, PURPOSE);
        List<org.apache.spark.rdd.RDD<?>> persisted = new ArrayList<>();
        try {
            Joined in = Joined.read(spark, o, format, refs, conf, partitions, persisted);
            Path staging = commit.staging();
            spark.createDataFrame(in.rows().map(ResultTable::toRow), ResultTable.schema())
                    .write().parquet(new Path(staging, "predictions").toString());
            JavaRDD<PredictionRecord> unknown = in.joined().filter(j -> !j._2()._2().isPresent())
                    .map(j -> j._2()._1().get()).union(in.byQuestion().unmatched());
            writeListings(in, unknown, staging);

            ResultAggregate agg = in.rows().treeAggregate(new ResultAggregate(o.method(), o.seed(),
                    o.reportExamples()), ResultAggregate::add, ResultAggregate::merge);
            Map<String, Long> counts = counts(in, agg, unknown);
            List<String> problems = problems(in.rows(), counts, o.maxRejectFraction());

            double seconds = (System.nanoTime() - start) / 1e9;
            EvaluationSummary summary = agg.metrics().summarize(runInfo(o, format, counts, seconds));
            Outputs.writeSummaryAndReport(staging, hadoop, "meft-spark scores: " + o.method(), summary, agg, List.of(),
                    o.reportExamples());
            commit.commit(o.overwrite());
            String output = commit.output().toString();
            return new Result(summary, output, counts, table(format, output, summary, counts, seconds), format.how(),
                    problems);
        } catch (Throwable e) {
            commit.abort();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("scoring failed: " + e.getMessage(), e);
        } finally {
            persisted.forEach(r -> r.unpersist(false));
        }
    }

    /**
     * The inputs, the references and predictions by id, their full outer join and the scored rows; each RDD here
     * is in {@code persisted}, since several outputs read it.
     *
     * @param parquet whether the predictions are Parquet (their sources are rows, not lines)
     */
    private record Joined(JavaRDD<Outcome<PredictionRecord>> predIn, JavaRDD<Outcome<ReferenceRecord>> refIn,
                          JavaPairRDD<String, ReferenceRecord> golds, QuestionMatch byQuestion,
                          JavaPairRDD<String, PredictionRecord> preds,
                          JavaPairRDD<String, Tuple2<Optional<PredictionRecord>, Optional<ReferenceRecord>>> joined,
                          JavaRDD<EvalRow> rows, boolean parquet) {
        /** Reads both sides, matches predictions by id or question, joins them and scores every reference. */
        static Joined read(SparkSession spark, Options o, PredictionInput.Detected format, ReferenceSource refs,
                           HadoopConf conf, int partitions, List<org.apache.spark.rdd.RDD<?>> persisted) {
            boolean parquet = format.format() == PredictionFormat.PARQUET;
            JavaRDD<Outcome<PredictionRecord>> predIn = keep(persisted,
                    PredictionInput.read(spark, o.predictions(), format.format(), conf.get(), partitions));
            JavaRDD<Outcome<ReferenceRecord>> refIn = keep(persisted, refs.read(spark, conf));

            // Persisted: the join, the duplicate listing and the counts all read them (measured: re-reducing
            // them cost a fifth of the job, docs/benchmarks.md).
            JavaPairRDD<String, ReferenceRecord> golds = keep(persisted, refIn.filter(Outcome::isOk).map(Outcome::value)
                    .mapToPair(r -> new Tuple2<>(r.id(), r)).reduceByKey(ReferenceRecord::first, partitions));
            JavaRDD<PredictionRecord> okPreds = predIn.filter(Outcome::isOk).map(Outcome::value);
            QuestionMatch byQuestion = QuestionMatch.of(okPreds, golds, partitions, persisted);
            JavaPairRDD<String, PredictionRecord> preds = keep(persisted, okPreds.filter(p -> !p.id().isEmpty())
                    .union(byQuestion.matched())
                    .mapToPair(p -> new Tuple2<>(p.id(), p)).reduceByKey(PredictionRecord::first, partitions));
            JavaPairRDD<String, Tuple2<Optional<PredictionRecord>, Optional<ReferenceRecord>>> joined =
                    keep(persisted, preds.fullOuterJoin(golds, partitions));
            JavaRDD<EvalRow> rows = keep(persisted, joined.filter(j -> j._2()._2().isPresent())
                    .map(j -> score(j._2()._1(), j._2()._2().get(), parquet)));
            return new Joined(predIn, refIn, golds, byQuestion, preds, joined, rows, parquet);
        }
    }

    /** Writes what could not be scored as read: unknown, ambiguous, missing and duplicate ids, and the rejects. */
    private static void writeListings(Joined in, JavaRDD<PredictionRecord> unknown, Path staging) {
        boolean parquet = in.parquet();
        unknown.map(p -> json(unknownEntry(p, parquet)))
                .saveAsTextFile(new Path(staging, "unknown_predictions").toString());
        in.byQuestion().ambiguous().map(a -> json(Map.of("question", a._1().question(),
                        "source", a._1().source(!parquet), "prediction", String.valueOf(a._1().prediction()),
                        "matches", a._2())))
                .saveAsTextFile(new Path(staging, "ambiguous_predictions").toString());
        JavaRDD<EvalRow> missing = in.rows().filter(Score::missing);
        missing.map(r -> json(Map.of("id", r.id(), "question", r.question(), "dataset", r.dataset(),
                "split", String.valueOf(r.split()), "source", r.source())))
                .saveAsTextFile(new Path(staging, "missing_predictions").toString());
        in.preds().filter(p -> p._2().copies() > 1).map(p -> json(Map.of("side", "predictions", "id", p._1(),
                        "copies", p._2().copies(), "kept", p._2().source(!parquet))))
                .union(in.golds().filter(g -> g._2().copies() > 1).map(g -> json(Map.of("side", "references",
                        "id", g._1(), "copies", g._2().copies(), "kept", g._2().source()))))
                .saveAsTextFile(new Path(staging, "duplicates").toString());
        in.predIn().filter(x -> !x.isOk()).map(x -> x.reject().toJson())
                .union(in.refIn().filter(x -> !x.isOk()).map(x -> x.reject().toJson()))
                .saveAsTextFile(new Path(staging, "_rejects").toString());
    }

    /** The input and outcome counts that metrics.json's run.extra and the terminal summary list, in their order. */
    private static Map<String, Long> counts(Joined in, ResultAggregate agg, JavaRDD<PredictionRecord> unknown) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("prediction_records", in.predIn().filter(Outcome::isOk).count());
        counts.put("question_matched_predictions", in.byQuestion().matchedCount());
        counts.put("ambiguous_question_predictions", in.byQuestion().ambiguous().count());
        counts.put("malformed_prediction_lines", in.predIn().filter(x -> !x.isOk()).count());
        counts.put("non_utf8_lines", in.predIn().filter(x -> x.isOk() && !x.value().warnings().isEmpty()).count());
        counts.put("reference_records", in.refIn().filter(Outcome::isOk).count());
        counts.put("rejected_reference_records", in.refIn().filter(x -> !x.isOk()).count());
        counts.put("duplicate_prediction_ids", in.preds().filter(p -> p._2().copies() > 1).count());
        counts.put("duplicate_reference_ids", in.golds().filter(g -> g._2().copies() > 1).count());
        counts.put("scored_rows", agg.rows());
        counts.put("missing_predictions", agg.jobWarnings().getOrDefault("missing_prediction", 0L));
        counts.put("unknown_predictions", unknown.count());
        return counts;
    }

    /** What metrics.json says of the run: the inputs, the predictions' format, the counts and the seconds. */
    private static RunInfo runInfo(Options o, PredictionInput.Detected format, Map<String, Long> counts,
                                   double seconds) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("predictions", o.predictions());
        extra.put("references", o.references());
        extra.put("predictions_format", format.format().name().toLowerCase(Locale.ROOT) + " (" + format.how() + ")");
        counts.forEach((k, v) -> extra.put(k, String.valueOf(v)));
        extra.put("seconds", String.format(Locale.ROOT, "%.1f", seconds));
        return new RunInfo(o.method(), "(predictions from another system)", null, null,
                o.bootstrapSamples(), o.seed(), Instant.now().toString(), extra);
    }

    /** The terminal summary: the predictions' format, the scores table, then the counts. */
    private static String table(PredictionInput.Detected format, String output, EvaluationSummary summary,
                                Map<String, Long> counts, double seconds) {
        StringBuilder table = new StringBuilder("predictions: " + format.format().name().toLowerCase(Locale.ROOT)
                + ", " + format.how() + "\n");
        table.append(Outputs.table(output, summary, Map.of(), seconds));
        counts.forEach((k, v) -> table.append(String.format(Locale.ROOT, "  %-30s %d%n", k, v)));
        return table.toString();
    }

    /** One reference with its prediction, or without (then scored as an empty answer and flagged). */
    static EvalRow score(Optional<PredictionRecord> p, ReferenceRecord g, boolean parquet) {
        Dataset d = Dataset.fromKey(g.dataset());
        List<String> warnings = new ArrayList<>();
        String prediction = null;
        String source = g.source();
        if (p.isPresent()) {
            prediction = p.get().prediction();
            warnings.addAll(p.get().warnings());
            if (p.get().copies() > 1) {
                warnings.add("duplicate_prediction: " + p.get().copies() + " records with this id; the first read ("
                        + p.get().source(!parquet) + ") is scored");
            }
        } else {
            warnings.add("missing_prediction: no prediction has this id; scored as an empty answer");
        }
        if (g.copies() > 1) {
            warnings.add("duplicate_reference: " + g.copies() + " references with this id; the one from " + g.source()
                    + " is used");
        }
        RowScore s = TaskScorer.score(d, prediction, g.golds());
        s.warnings().forEach(w -> warnings.add(w.name()));
        return new EvalRow(g.id(), g.dataset(), g.split(), null, prediction, g.references(), s, warnings, null, null,
                source, g.question());
    }

    private static boolean missing(EvalRow r) {
        return r.prediction() == null && r.warnings().stream().anyMatch(w -> w.startsWith("missing_prediction:"));
    }

    private static Map<String, Object> unknownEntry(PredictionRecord p, boolean parquet) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        if (p.question() != null) {
            m.put("question", p.question());
        }
        m.put("source", p.source(!parquet));
        m.put("prediction", String.valueOf(p.prediction()));
        return m;
    }

    /**
     * The reject policy of a score run: per dataset, the references left without a prediction; over all, the
     * prediction records that could not be read or matched (malformed, unknown id or question, ambiguous question).
     */
    private static List<String> problems(JavaRDD<EvalRow> rows, Map<String, Long> counts, double maxFraction) {
        Map<String, Long> kept = new java.util.TreeMap<>();
        Map<String, Long> missing = new java.util.TreeMap<>();
        Map<String, Long> reasons = new java.util.TreeMap<>();
        rows.map(r -> r.dataset() + "\t" + (missing(r) ? "m" : "k")).countByValue().forEach((k, v) -> {
            String dataset = k.substring(0, k.indexOf('\t'));
            if (k.endsWith("\tm")) {
                missing.merge(dataset, v, Long::sum);
                reasons.merge("missing_prediction\t" + dataset, v, Long::sum);
            } else {
                kept.merge(dataset, v, Long::sum);
            }
        });
        RejectPolicy policy = new RejectPolicy(maxFraction);
        List<String> out = new ArrayList<>(policy.problems(kept, missing, reasons, "references",
                "the scores are written (missing predictions count as empty answers); check the ids or questions of "
                        + "the predictions, or pass --allow-rejects to accept"));
        long bad = counts.get("malformed_prediction_lines") + counts.get("unknown_predictions")
                + counts.get("ambiguous_question_predictions");
        long total = counts.get("prediction_records") + counts.get("malformed_prediction_lines");
        if (total > 0 && bad > maxFraction * total) {
            out.add(String.format(Locale.ROOT, "predictions: %d of %d prediction records unreadable or unmatched "
                            + "(%d malformed, %d unknown, %d ambiguous question), more than max_reject_fraction %s; "
                            + "see _rejects/, unknown_predictions/ and ambiguous_predictions/, or pass --allow-rejects",
                    bad, total, counts.get("malformed_prediction_lines"), counts.get("unknown_predictions"),
                    counts.get("ambiguous_question_predictions"), maxFraction));
        }
        return out;
    }

    /** Persists (a JavaRDD or JavaPairRDD): several outputs read each of these, the input is read once. */
    private static <T> T keep(List<org.apache.spark.rdd.RDD<?>> persisted, T rdd) {
        org.apache.spark.rdd.RDD<?> r = rdd instanceof JavaPairRDD<?, ?> p ? p.rdd() : ((JavaRDD<?>) rdd).rdd();
        r.persist(StorageLevel.MEMORY_AND_DISK());
        persisted.add(r);
        return rdd;
    }

    private static String json(Map<String, Object> m) {
        try {
            return JSON.writeValueAsString(new java.util.TreeMap<>(m));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where the references come from: a shard set, or raw dataset files. */
    record ReferenceSource(String path, boolean shards, List<InputFile> files, List<String> shardFiles)
            implements java.io.Serializable {

        static ReferenceSource of(Options o, Configuration conf) {
            Path manifest = new Path(o.references(), Manifest.FILE_NAME);
            try {
                if (manifest.getFileSystem(conf).exists(manifest)) {
                    HadoopShardStore store = new HadoopShardStore(o.references(), new HadoopConf(conf));
                    List<String> files = ShardReader.open(store, null).manifest().shards().stream()
                            .map(Manifest.Shard::file).toList();
                    return new ReferenceSource(o.references(), true, List.of(), files);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("--references: cannot read " + o.references(), e);
            }
            if (o.dataset() == null) {
                throw new IllegalArgumentException("--references " + o.references() + " is not a shard set (no "
                        + Manifest.FILE_NAME + "); for a raw dataset file give its --dataset ("
                        + String.join(", ", Arrays.stream(Dataset.values()).map(Dataset::key).toList()) + ")");
            }
            // "eval": raw references carry no split of their own; a non-empty split keeps HashSplit out of it.
            List<InputFile> files = InputFile.resolve(List.of(new DataSection.Input(o.dataset(), o.references(),
                    o.referenceFormat(), "eval")), conf);
            return new ReferenceSource(o.references(), false, files, List.of());
        }

        JavaRDD<Outcome<ReferenceRecord>> read(SparkSession spark, HadoopConf conf) {
            if (!shards) {
                return ReadStage.read(spark, files, conf, 0.0).map(x -> {
                    if (!x.isOk()) {
                        return Outcome.rejected(x.reject());
                    }
                    org.meftspark.data.Example e = x.value().example();
                    return Outcome.ok(new ReferenceRecord(e.id(), e.dataset().key(), e.split(), e.references(),
                            e.source().toString(), 1, e.question(), e.noAnswer(), e.candidates()));
                });
            }
            HadoopShardStore store = new HadoopShardStore(path, conf);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            return jsc.parallelize(shardFiles, Math.max(1, shardFiles.size())).flatMap(f -> {
                Iterator<List<TokenizedExample>> batches = ShardReader.open(store, null).batches(f);
                List<Outcome<ReferenceRecord>> out = new ArrayList<>();
                // A batch at a time: the shard's token ids are dropped as soon as its batch is converted.
                while (batches.hasNext()) {
                    for (TokenizedExample t : batches.next()) {
                        out.add(Outcome.ok(new ReferenceRecord(t.id(), t.dataset(), t.split(), t.references(),
                                t.source(), 1, t.question(), t.noAnswer(), t.candidates())));
                    }
                }
                return out.iterator();
            });
        }
    }
}
