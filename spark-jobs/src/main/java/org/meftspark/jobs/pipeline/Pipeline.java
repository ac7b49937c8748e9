package org.meftspark.jobs.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunVariant;
import org.meftspark.data.Dataset;
import org.meftspark.jobs.evaluate.Evaluate;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.jobs.train.Train;
import org.meftspark.jobs.train.TrainOutcome;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.Metric;
import org.meftspark.metrics.MetricSummary;
import org.meftspark.metrics.MetricsJson;
import org.meftspark.report.HtmlReport;
import org.meftspark.report.LossCurve;
import org.meftspark.report.ReportInput;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.HadoopConf;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.tokenize.Tokenizer;
import org.meftspark.tokenize.Tokenizers;

/**
 * preprocess -> train -> evaluate -> report from one configuration (issue 7). Each stage first
 * checks whether its output is already complete and valid, and skips it if so, so a run that
 * failed or was killed continues where it stopped when started again:
 * <ul>
 *   <li>preprocess: the shard set's manifest, tokenizer fingerprint and every shard's sha256
 *       verify;</li>
 *   <li>train: a variant's {@code DONE.json} names a final checkpoint whose sha256 matches; an
 *       unfinished variant resumes from its last checkpoint;</li>
 *   <li>evaluate: a variant's {@code metrics.json} exists (the evaluation commits its output
 *       atomically, so it exists only when complete);</li>
 *   <li>report: always rewritten from the variants' results (cheap).</li>
 * </ul>
 */
public final class Pipeline {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a pipeline run produced.
     *
     * @param runDir    the run directory
     * @param report    the combined report.html
     * @param summaries each variant's evaluation summary, in variant order
     * @param skipped   stages found complete and skipped, e.g. {@code train/meft}
     * @param table     the terminal summary
     */
    public record Result(String runDir, String report, Map<String, EvaluationSummary> summaries, List<String> skipped,
                         String table) {
    }

    private Pipeline() {
    }

    /** The command line's pipeline: the file and its overrides, parsed here once. */
    public static Result run(SparkSession spark, String configText, String source, List<String> overrides,
                             PrintStream log) throws IOException {
        return run(spark, RunRequest.parse(configText, source, overrides), log);
    }

    /** Runs the request's variants; the run directory records its text (config.yaml, run.json). */
    public static Result run(SparkSession spark, RunRequest request, PrintStream log) throws IOException {
        request.requireRecordedFaithfully();
        List<RunVariant> variants = request.variants();
        List<String> overrides = request.overrides();
        RunConfig base = variants.get(0).config();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        RunDirectory dir = RunDirectory.of(base, conf);
        dir.claim(request.configText(), overrides);
        Map<String, String> sparkConf = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : spark.sparkContext().getConf().getAll()) {
            sparkConf.put(kv._1(), kv._2());
        }
        dir.describe(overrides, variants.stream().map(RunVariant::name).toList(), sparkConf,
                RunDirectory.lower(base.training().device()));
        log.println("run directory: " + dir.root());
        List<String> skipped = new ArrayList<>();

        preprocess(spark, base, dir, log, skipped);
        train(spark, variants, dir, log, skipped);
        Map<String, EvaluationSummary> summaries = new LinkedHashMap<>();
        List<LossCurve> curves = new ArrayList<>();
        List<org.meftspark.report.ReportExample> wrong = new ArrayList<>();
        for (RunVariant v : variants) {
            summaries.put(v.name(), evaluate(spark, v, dir, log, skipped, curves));
            wrong.addAll(org.meftspark.jobs.results.Outputs.readWrong(dir.variant(v.name(), "eval"), conf));
        }

        // Report: all variants together, each variant's sample of wrong predictions included.
        ReportInput in = new ReportInput("meft-spark run " + base.run().name(), new ArrayList<>(summaries.values()), curves,
                wrong, base.evaluation().reportExamples());
        Path report = new Path(dir.root(), "report.html");
        dir.write(report, HtmlReport.render(in));
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("run", base.run().name());
        Map<String, Object> byVariant = new LinkedHashMap<>();
        for (Map.Entry<String, EvaluationSummary> e : summaries.entrySet()) {
            byVariant.put(e.getKey(), JSON.readTree(MetricsJson.toJson(e.getValue())));
        }
        all.put("variants", byVariant);
        dir.write(new Path(dir.root(), "metrics.json"), dir.toJson(all));
        return new Result(dir.root().toString(), report.toString(), summaries, skipped, table(summaries));
    }

    // ---- stages ---------------------------------------------------------------------------

    private static void preprocess(SparkSession spark, RunConfig base, RunDirectory dir, PrintStream log,
                                   List<String> skipped) throws IOException {
        HadoopShardStore store = new HadoopShardStore(base.data().shards(), new HadoopConf(dir.fs().getConf()));
        String fingerprint;
        try (Tokenizer t = Tokenizers.open(org.meftspark.model.ModelTokenizer.spec(base.model()))) {
            fingerprint = t.fingerprint();
        }
        Manifest manifest = null;
        if (store.exists(Manifest.FILE_NAME)) {
            try {
                ShardReader reader = ShardReader.open(store, fingerprint);
                long rows = reader.rows().count(); // streams every shard: sha256, sizes and row counts verified
                manifest = reader.manifest();
                log.printf("preprocess: skipped, %d rows in verified shards at %s%n", rows, base.data().shards());
                skipped.add("preprocess");
            } catch (RuntimeException e) {
                log.println("preprocess: the shards at " + base.data().shards() + " do not verify (" + e.getMessage()
                        + "); preprocessing again");
            }
        }
        if (manifest == null) {
            Preprocess.Result r = Preprocess.run(spark, base);
            log.print(r.table());
            // The pipeline goes on (its own result says how well the model did); the lost records are named.
            r.problems().forEach(p -> log.println("WARNING: preprocess: " + p));
            manifest = r.manifest();
        }
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("path", base.data().shards());
        ref.put("manifest_sha256", RunDirectory.sha256(new String(manifest.toJson(), java.nio.charset.StandardCharsets.UTF_8)));
        ref.put("rows", manifest.totalRows());
        ref.put("tokenizer", manifest.tokenizerFingerprint());
        dir.write(new Path(dir.root(), "shards.json"), dir.toJson(ref));
    }

    private static void train(SparkSession spark, List<RunVariant> variants, RunDirectory dir, PrintStream log,
                              List<String> skipped) throws IOException {
        List<RunVariant> pending = new ArrayList<>();
        for (RunVariant v : variants) {
            if (v.config().adapter().method() == AdapterSection.Method.NONE) {
                log.println("train " + v.name() + ": nothing to train (adapter.method: none, zero-shot)");
                continue;
            }
            if (done(v, dir)) {
                log.println("train " + v.name() + ": skipped, finished earlier (DONE.json and its checkpoint verify)");
                skipped.add("train/" + v.name());
            } else {
                pending.add(v);
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        for (TrainOutcome o : Train.run(spark, pending)) {
            if (o.stepsDone() < o.totalSteps()) {
                throw new IllegalStateException("train " + o.variant() + ": stopped at step " + o.stepsDone() + " of "
                        + o.totalSteps() + "; run again to resume from its last checkpoint");
            }
            Path trainDir = new Path(Train.trainDir(variant(pending, o.variant()).config(), o.variant()));
            Path tensors = new Path(new Path(trainDir, o.checkpoint()), "trainable.safetensors");
            Map<String, Object> doneJson = new LinkedHashMap<>();
            doneJson.put("variant", o.variant());
            doneJson.put("steps", o.stepsDone());
            doneJson.put("checkpoint", o.checkpoint());
            doneJson.put("sha256", dir.sha256(tensors));
            doneJson.put("last_loss", o.lastLoss());
            doneJson.put("device", o.device());
            doneJson.put("resumed_at", o.resumedAt());
            dir.write(new Path(trainDir, "DONE.json"), dir.toJson(doneJson));
            log.printf(Locale.ROOT, "train %s: %d steps on %s, last loss %.4f (%.1f s)%n", o.variant(), o.stepsDone(),
                    o.device(), o.lastLoss(), o.seconds());
        }
    }

    private static RunVariant variant(List<RunVariant> vs, String name) {
        return vs.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    /** A variant is done when DONE.json names a checkpoint whose tensors still hash to what it recorded. */
    private static boolean done(RunVariant v, RunDirectory dir) {
        Path trainDir = new Path(Train.trainDir(v.config(), v.name()));
        Path marker = new Path(trainDir, "DONE.json");
        try {
            FileSystem fs = marker.getFileSystem(dir.fs().getConf());
            if (!fs.exists(marker)) {
                return false;
            }
            Map<String, Object> m = dir.readJson(marker);
            Path tensors = new Path(new Path(trainDir, String.valueOf(m.get("checkpoint"))), "trainable.safetensors");
            return fs.exists(tensors) && dir.sha256(tensors).equals(m.get("sha256"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static EvaluationSummary evaluate(SparkSession spark, RunVariant v, RunDirectory dir, PrintStream log,
                                              List<String> skipped, List<LossCurve> curves) throws IOException {
        RunConfig c = v.config();
        boolean trained = c.adapter().method() != AdapterSection.Method.NONE;
        Path trainDir = new Path(Train.trainDir(c, v.name()));
        java.nio.file.Path localMetrics = trained ? local(new Path(trainDir, "metrics.jsonl"), dir) : null;
        if (localMetrics != null) {
            curves.add(LossCurve.read(v.name(), localMetrics));
        }
        Path evalDir = dir.variant(v.name(), "eval");
        Path metrics = new Path(evalDir, "metrics.json");
        if (dir.fs().exists(metrics)) {
            log.println("evaluate " + v.name() + ": skipped, " + metrics + " exists (evaluation outputs are committed whole)");
            skipped.add("evaluate/" + v.name());
            return MetricsJson.read(local(metrics, dir));
        }
        Evaluate.Result r = Evaluate.run(spark, c, new Evaluate.Options(trained ? trainDir.toString() : null,
                evalDir.toString(), false, c.evaluation().splits(), localMetrics == null ? List.of() : List.of(localMetrics), v.name()));
        log.print(r.table());
        return r.summary();
    }

    /** A local copy (or the file itself when local) of a run-directory file. */
    private static java.nio.file.Path local(Path p, RunDirectory dir) throws IOException {
        FileSystem fs = p.getFileSystem(dir.fs().getConf());
        Path q = fs.makeQualified(p);
        if ("file".equals(q.toUri().getScheme())) {
            return java.nio.file.Path.of(q.toUri());
        }
        java.nio.file.Path tmp = Files.createTempFile("meft-run-", "-" + p.getName());
        Files.delete(tmp);
        fs.copyToLocalFile(false, q, new Path(tmp.toUri()), true);
        tmp.toFile().deleteOnExit();
        return tmp;
    }

    /**
     * One row per dataset, one column per variant (so the zero-shot base and each method stand side by
     * side): the dataset's primary metric, its mean and 95% interval.
     */
    static String table(Map<String, EvaluationSummary> summaries) {
        Map<String, Map<String, MetricSummary>> byDataset = new java.util.LinkedHashMap<>();
        summaries.forEach((variant, s) -> {
            for (MetricSummary m : s.results()) {
                if (m.metric().equals(Metric.primary(Dataset.fromKey(m.dataset())).key())) {
                    byDataset.computeIfAbsent(m.dataset(), k -> new java.util.LinkedHashMap<>()).put(variant, m);
                }
            }
        });
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s %-9s %5s", "dataset", "metric", "n"));
        summaries.keySet().forEach(v -> b.append(String.format(Locale.ROOT, "  %-22s", v)));
        b.append(String.format("%n"));
        byDataset.forEach((dataset, cells) -> {
            MetricSummary first = cells.values().iterator().next();
            b.append(String.format(Locale.ROOT, "%-10s %-9s %5d", dataset, first.metric(), first.n()));
            for (String v : summaries.keySet()) {
                MetricSummary m = cells.get(v);
                String cell = m == null ? "-" : m.ci95() == null ? String.format(Locale.ROOT, "%.3f", m.mean())
                        : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", m.mean(), m.ci95().low(), m.ci95().high());
                b.append(String.format(Locale.ROOT, "  %-22s", cell));
            }
            b.append(String.format("%n"));
        });
        return b.toString();
    }
}
