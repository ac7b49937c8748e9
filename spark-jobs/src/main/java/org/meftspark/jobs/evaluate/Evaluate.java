package org.meftspark.jobs.evaluate;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.meftspark.config.EvaluationSection;
import org.meftspark.config.RunConfig;
import org.meftspark.evaluation.DecodingSettings;
import org.meftspark.evaluation.GenerationResult;
import org.meftspark.evaluation.Prediction;
import org.meftspark.jobs.preprocess.TokenizerSource;
import org.meftspark.jobs.results.EvalRow;
import org.meftspark.jobs.results.Outputs;
import org.meftspark.jobs.results.ResultAggregate;
import org.meftspark.jobs.results.ResultTable;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.Golds;
import org.meftspark.metrics.RowScore;
import org.meftspark.metrics.RunInfo;
import org.meftspark.metrics.TaskScorer;
import org.meftspark.report.LossCurve;
import org.meftspark.report.WrongAnswerSample;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.HadoopConf;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.spark.OutputCommit;
import org.meftspark.spark.RowProgress;
import org.meftspark.tokenize.TokenizedExample;

/**
 * The evaluation job (issue 6, item 3) on Spark:
 * <ol>
 *   <li>each evaluation shard (every split but train, or the chosen ones) is read, verified, by one task;</li>
 *   <li>{@code mapPartitions} generates answers in batches with the model (and adapter) loaded once
 *       per executor JVM ({@link GeneratorSource}) and scores them ({@link TaskScorer});</li>
 *   <li>per-example results go to {@code predictions/} (Parquet, {@link ResultTable});
 *       {@code treeAggregate} builds the means with bootstrap intervals and a seeded sample of wrong
 *       answers, written as {@code metrics.json} and {@code report.html};</li>
 *   <li>all of it is staged and committed at once ({@link OutputCommit}).</li>
 * </ol>
 * The generated results are persisted, so generation runs once however many outputs read them.
 */
public final class Evaluate {
    /** Rows handed to the generator at a time: several batches, so length sorting pads little. */
    private static final int BATCHES_PER_CHUNK = 8;
    static final OutputCommit.Purpose PURPOSE = new OutputCommit.Purpose("evaluate", "--out", Outputs.METRICS,
            "an evaluation result", "Pass --overwrite");

    private Evaluate() {
    }

    /**
     * Choices of one evaluation beyond the run configuration.
     *
     * @param adapter      adapter checkpoint folder, or null for the base model
     * @param out          output directory, or null for {@code run.dir/run.name/evaluation}
     * @param overwrite    replace an existing result at {@code out}
     * @param splits       splits to evaluate; empty means every split but {@code train}
     * @param trainMetrics trainer metrics files (JSON lines with step and loss) for the loss curves
     * @param method       label of this run in the report; null: the adapter method, or {@code base}
     */
    public record Options(String adapter, String out, boolean overwrite, List<String> splits,
                          List<java.nio.file.Path> trainMetrics, String method) {
        public Options {
            splits = List.copyOf(splits);
            trainMetrics = List.copyOf(trainMetrics);
        }
    }

    /**
     * What a run produced.
     *
     * @param summary    what metrics.json holds
     * @param output     the committed output directory (qualified)
     * @param rows       per-example rows written
     * @param modelLoads generator builds across all executors (one per executor JVM)
     * @param table      the terminal summary
     */
    public record Result(EvaluationSummary summary, String output, long rows, long modelLoads, String table) {
    }

    /** Runs the evaluation with {@code spark}, its rows done and ETA on standard error. */
    public static Result run(SparkSession spark, RunConfig cfg, Options o) throws IOException {
        return run(spark, cfg, o, new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    }

    /** Runs the evaluation with {@code spark}; rows done and ETA are printed to {@code progress}. */
    public static Result run(SparkSession spark, RunConfig cfg, Options o, PrintWriter progress) throws IOException {
        long start = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        EvaluationSection ev = cfg.evaluation();
        long seed = cfg.run().seed();
        // Everything that can be wrong before any work fails here: adapter, tokenizer, shards, model, output.
        AdapterLoader loader = o.adapter() == null ? null : AdapterLoader.forRun(cfg, o.adapter());
        TokenizerSource tokenizer = TokenizerSource.resolve(org.meftspark.model.ModelTokenizer.spec(cfg.model()), hadoop);
        ShardInput in = ShardInput.of(cfg, o, new HadoopConf(hadoop), tokenizer.get().fingerprint());
        DecodingSettings settings = DecodingSettings.from(ev);
        GeneratorSource source = GeneratorSource.resolve(cfg.model(), o.adapter(), loader, tokenizer, settings,
                hadoop);
        String method = o.method() != null ? o.method()
                : o.adapter() == null ? "base" : cfg.adapter().method().name().toLowerCase(java.util.Locale.ROOT);
        List<LossCurve> curves = o.trainMetrics().stream().map(p -> LossCurve.read(method, p)).toList();
        String out = o.out() != null ? o.out()
                : new Path(new Path(cfg.run().dir(), cfg.run().name()), "evaluation").toString();
        OutputCommit commit = OutputCommit.begin(out, o.overwrite(), hadoop, PURPOSE);

        LongAccumulator loads = spark.sparkContext().longAccumulator("meft model loads");
        List<JavaRDD<?>> persisted = new ArrayList<>();
        try {
            Generated g = generateAll(spark, cfg, in, source, loads, persisted, progress);
            Path staging = commit.staging();
            spark.createDataFrame(g.results().map(ResultTable::toRow), ResultTable.schema()).orderBy("dataset", "id")
                    .write().parquet(new Path(staging, "predictions").toString());
            ResultAggregate agg = g.results().treeAggregate(new ResultAggregate(method, seed, ev.reportExamples()),
                    ResultAggregate::add, ResultAggregate::merge);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, String> extra = extra(cfg, in, g, loads.value(), agg, seconds);
            RunInfo info = new RunInfo(method, cfg.model().path(), o.adapter(), settings.label(), ev.bootstrapSamples(),
                    seed, Instant.now().toString(), extra);
            EvaluationSummary summary = agg.metrics().summarize(info);
            Outputs.writeSummaryAndReport(staging, hadoop, "meft-spark evaluation: " + cfg.run().name(), summary, agg,
                    curves, ev.reportExamples());
            commit.commit(o.overwrite());
            String output = commit.output().toString();
            return new Result(summary, output, g.rows(), loads.value(),
                    Outputs.table(output, summary, agg.jobWarnings(), seconds));
        } catch (Throwable e) {
            // Throwable: Spark throws SparkException, a checked exception no signature declares.
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
            throw new IllegalStateException("evaluation failed: " + e.getMessage(), e);
        } finally {
            persisted.forEach(JavaRDD::unpersist);
        }
    }

    /**
     * The shard set to evaluate.
     *
     * @param store       where the shards are
     * @param fingerprint the tokenizer the shards must have been written with
     * @param manifest    the verified manifest
     * @param splits      the splits to evaluate
     * @param files       the shard files that hold rows of those splits
     */
    private record ShardInput(HadoopShardStore store, String fingerprint, Manifest manifest, Set<String> splits,
                              List<String> files) {
        static ShardInput of(RunConfig cfg, Options o, HadoopConf conf, String fingerprint) {
            HadoopShardStore store = new HadoopShardStore(cfg.data().shards(), conf);
            Manifest manifest = Evaluate.manifest(store, fingerprint, cfg.data().shards());
            Set<String> splits = Evaluate.splits(manifest, o.splits(), cfg.data().shards());
            List<String> files = manifest.shards().stream()
                    .filter(s -> s.rowsBySplit().keySet().stream().anyMatch(splits::contains))
                    .map(Manifest.Shard::file).toList();
            return new ShardInput(store, fingerprint, manifest, splits, files);
        }

        /** The rows of the chosen splits, as the manifest counts them. */
        long rows() {
            return manifest.shards().stream().flatMap(s -> s.rowsBySplit().entrySet().stream())
                    .filter(e -> splits.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        }
    }

    /** The generated and scored rows (persisted: generation runs once), how many, and over how many partitions. */
    private record Generated(JavaRDD<EvalRow> results, long rows, int partitions) {
    }

    /**
     * Reads the rows to evaluate (at most evaluation.max_examples per dataset), then generates and scores them,
     * printing rows done and ETA to {@code progress} while the generation runs.
     */
    private static Generated generateAll(SparkSession spark, RunConfig cfg, ShardInput in, GeneratorSource source,
                                         LongAccumulator loads, List<JavaRDD<?>> persisted, PrintWriter progress) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        HadoopShardStore store = in.store();
        String fingerprint = in.fingerprint();
        Set<String> splits = in.splits();
        JavaRDD<TokenizedExample> rows = jsc.parallelize(in.files(), Math.max(1, in.files().size()))
                .flatMap(f -> readShard(store, fingerprint, f, splits));
        int maxExamples = cfg.evaluation().maxExamples();
        if (maxExamples > 0) {
            rows = keep(persisted, rows);
            rows = limitPerDataset(rows, maxExamples, cfg.run().seed());
        }
        // With a cap per dataset, the rows kept are counted (a pass over the cached rows); else the manifest's.
        long total = maxExamples > 0 ? rows.count() : in.rows();
        int partitions = cfg.spark().partitions() > 0 ? cfg.spark().partitions() : jsc.defaultParallelism();
        if (rows.getNumPartitions() != partitions) {
            rows = rows.repartition(partitions);
        }
        JavaRDD<TokenizedExample> toGenerate = rows;
        try (RowProgress p = RowProgress.start(spark, "evaluate", total, progress)) {
            JavaRDD<EvalRow> results = keep(persisted,
                    p.countDone(toGenerate.mapPartitions(it -> generate(source, loads, it))));
            return new Generated(results, results.count(), partitions);
        }
    }

    /** What metrics.json records about the run besides the metrics. */
    private static Map<String, String> extra(RunConfig cfg, ShardInput in, Generated g, long modelLoads,
                                             ResultAggregate agg, double seconds) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("shards", cfg.data().shards());
        extra.put("splits", String.join(",", in.splits()));
        extra.put("examples", String.valueOf(g.rows()));
        extra.put("tokenizer", in.fingerprint());
        extra.put("model_loads", String.valueOf(modelLoads));
        extra.put("partitions", String.valueOf(g.partitions()));
        agg.jobWarnings().forEach((k, v) -> extra.put(k, String.valueOf(v)));
        extra.put("seconds", String.format(java.util.Locale.ROOT, "%.1f", seconds));
        return extra;
    }

    /** The shard set's manifest, verified; a shard set that does not verify is named by its data.shards. */
    private static Manifest manifest(HadoopShardStore store, String fingerprint, String where) {
        try {
            return ShardReader.open(store, fingerprint).manifest();
        } catch (org.meftspark.shard.ShardVerificationException e) {
            throw new org.meftspark.shard.ShardVerificationException("data.shards " + where + ": " + e.getMessage(), e);
        }
    }

    /** The splits to evaluate, checked against the shard set. */
    static Set<String> splits(Manifest m, List<String> wanted, String where) {
        Set<String> present = new TreeSet<>(m.countsBySplit().keySet());
        Set<String> chosen = new TreeSet<>();
        if (wanted.isEmpty()) {
            present.stream().filter(s -> !s.equals("train")).forEach(chosen::add);
            if (chosen.isEmpty()) {
                throw new IllegalArgumentException("the shard set at " + where + " holds only the splits " + present
                        + ": nothing to evaluate. Give an input a dev or test split (data.inputs[].split) or set "
                        + "data.dev_fraction above 0, and preprocess again");
            }
            return chosen;
        }
        for (String s : wanted) {
            if (!present.contains(s)) {
                throw new IllegalArgumentException("--split " + s + ": the shard set at " + where + " has the splits "
                        + present);
            }
            chosen.add(s);
        }
        return chosen;
    }

    private static <T> JavaRDD<T> keep(List<JavaRDD<?>> persisted, JavaRDD<T> rdd) {
        rdd.persist(StorageLevel.MEMORY_AND_DISK());
        persisted.add(rdd);
        return rdd;
    }

    /** The rows of one shard in the chosen splits, streamed batch by batch (verified by ShardReader). */
    private static Iterator<TokenizedExample> readShard(HadoopShardStore store, String fingerprint, String file,
                                                       Set<String> splits) {
        Iterator<List<TokenizedExample>> batches = ShardReader.open(store, fingerprint).batches(file);
        return new Iterator<>() {
            private final ArrayDeque<TokenizedExample> buffer = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty() && batches.hasNext()) {
                    batches.next().stream().filter(t -> splits.contains(t.split())).forEach(buffer::add);
                }
                return !buffer.isEmpty();
            }

            @Override
            public TokenizedExample next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return buffer.poll();
            }
        };
    }

    /**
     * At most {@code max} rows per dataset: those with the smallest seeded hash of their id, so the
     * choice is the same on every run and independent of partitioning.
     */
    static JavaRDD<TokenizedExample> limitPerDataset(JavaRDD<TokenizedExample> rows, int max, long seed) {
        Map<String, Long> thresholds = new HashMap<>();
        for (String d : rows.map(TokenizedExample::dataset).distinct().collect()) {
            List<Long> smallest = rows.filter(t -> t.dataset().equals(d))
                    .map(t -> WrongAnswerSample.seededKey(seed, t.id())).takeOrdered(max);
            thresholds.put(d, smallest.size() < max ? Long.MAX_VALUE : smallest.get(smallest.size() - 1));
        }
        return rows.filter(t -> WrongAnswerSample.seededKey(seed, t.id()) <= thresholds.get(t.dataset()));
    }

    /** Generates and scores a partition, a chunk of rows at a time. */
    static Iterator<EvalRow> generate(GeneratorSource source, LongAccumulator loads, Iterator<TokenizedExample> in) {
        int chunk = source.settings().batchSize() * BATCHES_PER_CHUNK;
        return new Iterator<>() {
            private final ArrayDeque<EvalRow> buffer = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty() && in.hasNext()) {
                    List<TokenizedExample> rows = new ArrayList<>(chunk);
                    while (rows.size() < chunk && in.hasNext()) {
                        rows.add(in.next());
                    }
                    buffer.addAll(answer(source, loads, rows));
                }
                return !buffer.isEmpty();
            }

            @Override
            public EvalRow next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return buffer.poll();
            }
        };
    }

    /** What a shard row is scored against: its references, the SQuAD v2.0 flag and ToolBench's candidates. */
    static Golds golds(TokenizedExample t) {
        return new Golds(t.references(), t.noAnswer(), t.candidates());
    }

    /** One chunk: every input row comes out as a result, generated or not (with the reason). */
    static List<EvalRow> answer(GeneratorSource source, LongAccumulator loads, List<TokenizedExample> rows) {
        GenerationResult r = source.generate(loads, g -> g.generateTokenized(rows));
        Map<String, TokenizedExample> byId = new HashMap<>();
        rows.forEach(t -> byId.put(t.id(), t));
        List<EvalRow> out = new ArrayList<>(rows.size());
        for (Prediction p : r.predictions()) {
            TokenizedExample t = byId.get(p.id());
            RowScore s = TaskScorer.score(p.dataset(), p.prediction(), golds(t));
            List<String> warnings = new ArrayList<>();
            if (p.truncatedTokens() > 0) {
                warnings.add("prompt_truncated: " + p.truncatedTokens() + " tokens cut when the shard was written");
            }
            s.warnings().forEach(w -> warnings.add(w.name()));
            out.add(new EvalRow(p.id(), p.dataset().key(), t.split(), p.prompt(), p.prediction(), p.references(), s,
                    warnings, p.promptTokens(), p.generatedTokens(), t.source(), t.question()));
        }
        for (GenerationResult.Skipped k : r.skipped()) {
            TokenizedExample t = byId.get(k.id());
            List<String> warnings = new ArrayList<>();
            warnings.add("not_generated: " + k.reason());
            RowScore s = null;
            if (k.dataset() != null) {
                // Scored as an empty answer, as official scripts score an unanswered question: leaving
                // it out would raise the score by dropping exactly the hardest (longest) prompts.
                s = TaskScorer.score(k.dataset(), null, golds(t));
                s.warnings().forEach(w -> warnings.add(w.name()));
            }
            out.add(new EvalRow(t.id(), t.dataset(), t.split(), null, null, t.references(), s, warnings,
                    t.promptLength(), null, t.source(), t.question()));
        }
        return out;
    }
}
