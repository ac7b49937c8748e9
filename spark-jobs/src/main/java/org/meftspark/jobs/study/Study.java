package org.meftspark.jobs.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.AdapterSection.Method;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.config.RunVariant;
import org.meftspark.config.StudySection;
import org.meftspark.device.ComputeDevice;
import org.meftspark.io.AtomicFiles;
import org.meftspark.jobs.evaluate.Evaluate;
import org.meftspark.jobs.pipeline.Pipeline;
import org.meftspark.jobs.pipeline.RunDirectory;
import org.meftspark.jobs.train.Train;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.MetricSummary;
import org.meftspark.metrics.MetricsJson;
import org.meftspark.model.BaseModels;
import org.meftspark.model.Decoder;
import org.meftspark.model.EmbeddedModels;
import org.meftspark.pretrain.PretrainRecord;
import org.meftspark.synth.WorldSplit;
import org.meftspark.train.BudgetSizing;

/**
 * The knowledge-intensive study (issue 8, {@code bin/meft study}): for each fact count, a
 * generated fact world goes through the normal pipeline with one sweep variant per method, each
 * sized to the same device budget by {@link BudgetSizing}; then every variant's held-out EM
 * (unseen paraphrases), memorisation EM (training questions), device and host bytes and step time
 * are collected into {@code results.jsonl} and {@code results.md}.
 *
 * <p>Layout under {@code run.dir/run.name}: {@code study.json} (settings, sizing, versions),
 * {@code data/facts-N/} (the generated JSONL), {@code shards/facts-N/}, {@code facts-N/} (a
 * normal run directory), {@code results.jsonl}, {@code results.md}. Every stage is the pipeline's,
 * so a study stopped anywhere continues where it stopped when run again.
 */
public final class Study {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINES = new ObjectMapper();

    private Study() {
    }

    /**
     * What a study produced.
     *
     * @param root  the study directory
     * @param rows  one per fact count and method
     * @param table results.md's table
     */
    public record Result(Path root, List<StudyRow> rows, String table) {
    }

    /**
     * Runs the study of a configuration file: parsed here once (the command line's configuration);
     * every variant after that is derived from it as a value.
     */
    public static Result run(SparkSession spark, String configText, String source, List<String> overrides,
                             PrintStream log) throws IOException {
        RunConfig cfg = RunConfigLoader.parse(configText, source, overrides);
        StudySection s = cfg.study();
        if (!cfg.run().sweep().isEmpty()) {
            throw new IllegalArgumentException(source + ": run.sweep is set; the study makes its own variants, one per "
                    + "study.methods entry. Remove run.sweep");
        }
        Path root = localRoot(cfg);
        Files.createDirectories(root);
        Decoder decoder = BaseModels.load(cfg.model(), ComputeDevice.cpu());
        long weightBytes = decoder.weights().bytes();
        List<BudgetSizing.Sized> plan = BudgetSizing.plan(cfg.adapter(), decoder.config(), weightBytes,
                s.deviceBudgetBytes(), s.meftFactor(), s.methods());
        writeStudyJson(root, cfg, source, overrides, weightBytes, plan);
        log.println("study: " + root);
        for (BudgetSizing.Sized z : plan) {
            log.printf(Locale.ROOT, "  %-16s %9d device bytes  %s  (%s)%n", z.name(), z.footprint().total(),
                    String.join(" ", z.set()), z.note());
        }
        List<Double> grid = s.learningRates().isEmpty() ? List.of(cfg.training().learningRate()) : s.learningRates();
        List<Trial> trials = trials(plan, grid, !s.learningRates().isEmpty());
        StudyPart.Setup setup = new StudyPart.Setup(configText, source, overrides, cfg, root, baseWorld(cfg.model().path()),
                trials);
        List<StudyRow> rows = new ArrayList<>();
        for (int facts : s.facts()) {
            rows.addAll(part(spark, setup, facts, log));
            writeResults(root, rows); // after every fact count: a long study shows its progress
        }
        return new Result(root, rows, table(rows));
    }

    /** One fact count: its data, its pipeline run, the validation probes that choose each method's rate, its rows. */
    private static List<StudyRow> part(SparkSession spark, StudyPart.Setup setup, int facts, PrintStream log)
            throws IOException {
        StudyPart part = StudyPart.of(setup, facts, log);
        Pipeline.Result r = Pipeline.run(spark, part.request(), log);
        StudySection s = setup.config().study();
        Map<String, Double> validation = new LinkedHashMap<>();
        if (setup.world().isPresent() && s.probeExamples() > 0) {
            for (Trial t : setup.trials()) {
                if (t.sized().fits()) {
                    validation.put(t.name(), probe(spark, part.variant(t.name()), "validation", s.probeExamples(), log)
                            .mean());
                }
            }
        }
        java.util.Set<String> chosen = choose(setup.trials(), validation);
        List<StudyRow> rows = new ArrayList<>();
        for (Trial t : setup.trials()) {
            rows.add(row(spark, part, facts, t, r, s, chosen.contains(t.name()),
                    validation.getOrDefault(t.name(), Double.NaN), setup.world().isPresent(), log));
        }
        return rows;
    }

    /**
     * One method at one learning rate: its sizing, the grid point, its variant name, the overrides
     * that record it and whether it sets the rate (a grid) or keeps the configuration's.
     */
    record Trial(BudgetSizing.Sized sized, double learningRate, String name, List<String> set, boolean setsRate) {
    }

    /** Every method that fits at every learning rate of the grid (zero-shot once); names stay the method's without a grid. */
    static List<Trial> trials(List<BudgetSizing.Sized> plan, List<Double> grid, boolean explicitGrid) {
        List<Trial> out = new ArrayList<>();
        for (BudgetSizing.Sized z : plan) {
            boolean once = z.method() == Method.NONE || grid.size() == 1 || !z.fits();
            for (double lr : once ? grid.subList(0, 1) : grid) {
                List<String> set = new ArrayList<>(z.set());
                if (explicitGrid && z.method() != Method.NONE) {
                    set.add("training.learning_rate=" + lr);
                }
                String name = once ? z.name() : z.name() + "-lr" + String.valueOf(lr).replace('.', 'p');
                out.add(new Trial(z, lr, name, List.copyOf(set), explicitGrid && z.method() != Method.NONE));
            }
        }
        return out;
    }

    /** Per method, the trial with the best validation EM (the first of the grid on a tie, or when unmeasured). */
    static java.util.Set<String> choose(List<Trial> trials, Map<String, Double> validation) {
        Map<String, Trial> best = new LinkedHashMap<>();
        for (Trial t : trials) {
            Trial b = best.get(t.sized().name());
            double em = validation.getOrDefault(t.name(), Double.NaN);
            double bestEm = b == null ? Double.NaN : validation.getOrDefault(b.name(), Double.NaN);
            if (b == null || (!Double.isNaN(em) && (Double.isNaN(bestEm) || em > bestEm))) {
                best.put(t.sized().name(), t);
            }
        }
        java.util.Set<String> out = new java.util.HashSet<>();
        best.values().forEach(t -> out.add(t.name()));
        return out;
    }

    private static StudyRow row(SparkSession spark, StudyPart part, int facts, Trial trial, Pipeline.Result r,
                                StudySection s, boolean chosen, double validationEm, boolean pretrained, PrintStream log)
            throws IOException {
        BudgetSizing.Sized z = trial.sized();
        long seed = part.request().variants().get(0).config().run().seed();
        if (!z.fits()) {
            return new StudyRow(facts, z.name(), lower(z.method()), z.set(), false, z.note(), s.deviceBudgetBytes(),
                    z.footprint().total(), 0, 0, Double.NaN, List.of(), 0, Double.NaN, Double.NaN, Double.NaN, 0,
                    Double.NaN, 0, 0, Double.NaN, seed, trial.learningRate(), chosen, Double.NaN, Double.NaN, Double.NaN);
        }
        RunVariant v = part.variant(trial.name());
        boolean trained = z.method() != Method.NONE;
        String trainDir = Train.trainDir(v.config(), v.name());
        TrainingStats t = trained ? TrainingStats.read(Path.of(trainDir, org.meftspark.train.StepMetrics.FILE)) : TrainingStats.NONE;
        EvaluationSummary heldOut = r.summaries().get(trial.name());
        MetricSummary held = metric(heldOut, "em");
        // Memorisation, extraction and forgetting cost an evaluation each: only for the reported rows.
        EvaluationSummary seenSummary = chosen && s.seenExamples() > 0 ? evaluateSplit(spark, v,
                trained ? trainDir : null, "train", s.seenExamples(), log) : null;
        MetricSummary seen = seenSummary == null ? null : metric(seenSummary, "em");
        boolean probe = chosen && pretrained && s.probeExamples() > 0;
        double extraction = probe ? probe(spark, v, "extraction", s.probeExamples(), log).mean() : Double.NaN;
        double w0 = probe ? probe(spark, v, "w0", s.probeExamples(), log).mean() : Double.NaN;
        return new StudyRow(facts, trial.name(), lower(z.method()), z.set(), true, z.note(), s.deviceBudgetBytes(),
                z.footprint().total(), t.ledgerPeakBytes(), t.hostBytes(), held.mean(),
                held.ci95() == null ? List.of() : List.of(held.ci95().low(), held.ci95().high()), held.n(),
                metric(heldOut, "f1").mean(), seen == null ? Double.NaN : seen.mean(),
                seenSummary == null ? Double.NaN : metric(seenSummary, "f1").mean(), seen == null ? 0 : seen.n(),
                t.finalLoss(), t.steps(), t.targetTokens(), t.stepSecondsMedian(), seed, trial.learningRate(), chosen,
                validationEm, extraction, w0);
    }

    /** The nq_open EM of one variant on one extra split. */
    private static MetricSummary probe(SparkSession spark, RunVariant v, String split, int examples, PrintStream log)
            throws IOException {
        boolean trained = v.config().adapter().method() != Method.NONE;
        return metric(evaluateSplit(spark, v, trained ? Train.trainDir(v.config(), v.name()) : null, split, examples, log),
                "em");
    }

    /**
     * One variant on a sample of one split next to the pipeline's own evaluation (training questions:
     * memorisation; validation, extraction, w0); committed whole, so a study run again reuses it.
     */
    private static EvaluationSummary evaluateSplit(SparkSession spark, RunVariant v, String adapter, String split,
                                                   int examples, PrintStream log) throws IOException {
        Path out = localRoot(v.config()).resolve("variants").resolve(v.name())
                .resolve(split.equals("train") ? "eval-seen" : "eval-" + split);
        Path metrics = out.resolve("metrics.json");
        if (Files.exists(metrics)) {
            log.println("evaluate " + v.name() + (split.equals("train") ? " on training questions" : " on split " + split)
                    + ": skipped, " + metrics + " exists");
            return MetricsJson.read(metrics);
        }
        RunConfig c = v.config().withEvaluation(v.config().evaluation().on(v.config().evaluation().splits(), examples));
        Evaluate.Result r = Evaluate.run(spark, c, new Evaluate.Options(adapter, out.toString(), false, List.of(split),
                List.of(), v.name()));
        log.print(r.table());
        return r.summary();
    }

    private static MetricSummary metric(EvaluationSummary s, String metric) {
        return s.results().stream().filter(m -> m.dataset().equals("nq_open") && m.metric().equals(metric)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no nq_open " + metric + " in the evaluation of "
                        + s.run().method()));
    }

    /** The world of a base that records one ({@code pretrain.json} beside its weights); empty for a random base. */
    static java.util.Optional<WorldSplit> baseWorld(String modelPath) {
        Path folder;
        if (modelPath.startsWith(EmbeddedModels.PREFIX)) {
            if (!EmbeddedModels.known(modelPath).equals(EmbeddedModels.WORLD_BASE)) {
                return java.util.Optional.empty();
            }
            folder = EmbeddedModels.folder(modelPath);
        } else {
            folder = Path.of(modelPath);
        }
        Path record = folder.resolve("pretrain.json");
        return Files.isRegularFile(record) ? java.util.Optional.of(PretrainRecord.read(record).world())
                : java.util.Optional.empty();
    }

    static Path localRoot(RunConfig cfg) {
        String dir = cfg.run().dir();
        java.net.URI uri = java.net.URI.create(dir.replace(" ", "%20"));
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            throw new IllegalArgumentException("run.dir " + dir + ": the study runs on this machine's disk (it writes "
                    + "its generated data there); give a local folder");
        }
        return Path.of(uri.getScheme() == null ? dir : uri.getPath()).resolve(cfg.run().name()).toAbsolutePath();
    }

    private static String lower(Method m) {
        return m.name().toLowerCase(Locale.ROOT);
    }

    private static void writeStudyJson(Path root, RunConfig cfg, String source, List<String> overrides,
                                       long weightBytes, List<BudgetSizing.Sized> plan) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", source);
        m.put("overrides", overrides);
        m.put("seed", cfg.run().seed());
        m.put("model", cfg.model().path());
        m.put("model_weight_bytes", weightBytes);
        m.put("device_budget_bytes", cfg.study().deviceBudgetBytes());
        m.put("facts", cfg.study().facts());
        List<Map<String, Object>> sized = new ArrayList<>();
        for (BudgetSizing.Sized z : plan) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("variant", z.name());
            e.put("set", z.set());
            e.put("fits", z.fits());
            e.put("device_bytes", z.footprint());
            e.put("note", z.note());
            sized.add(e);
        }
        m.put("sizing", sized);
        m.put("versions", RunDirectory.versions());
        m.put("written_at", java.time.Instant.now().toString());
        AtomicFiles.writeString(root.resolve("study.json"), JSON.writeValueAsString(m), "the study description");
    }

    private static void writeResults(Path root, List<StudyRow> rows) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (StudyRow r : rows) {
            lines.append(LINES.writeValueAsString(r)).append('\n');
        }
        AtomicFiles.writeString(root.resolve("results.jsonl"), lines.toString(), "the study results");
        AtomicFiles.writeString(root.resolve("results.md"), table(rows), "the study results table");
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * Markdown: one row per fact count, method and learning rate; a method's reported row (best validation
     * EM) is marked in the "chosen" column.
     */
    static String table(List<StudyRow> rows) {
        StringBuilder b = new StringBuilder("| facts | method | size | lr | chosen | device bytes (ledger peak / predicted) "
                + "| host MiB | held-out EM [95% CI] | held-out F1 | validation EM | seen EM | extraction EM | W0 EM "
                + "| final loss | steps | target tokens | median step s |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (StudyRow r : rows) {
            String size = r.size().stream().filter(x -> !x.startsWith("adapter.method=") && !x.startsWith("training."))
                    .map(x -> x.substring(x.indexOf('.') + 1)).reduce((a, c) -> a + ", " + c).orElse("-");
            String lr = r.learningRate() > 0 ? String.format(Locale.ROOT, "%g", r.learningRate()) : "-";
            if (!r.fits()) {
                b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | - | - / %,d | - | %s | - | - | - | - | - | - | - | - | - |%n",
                        r.facts(), r.variant(), size, lr, r.predictedBytes(), r.note()));
                continue;
            }
            String ci = r.heldOutCi().size() == 2
                    ? String.format(Locale.ROOT, " [%.3f, %.3f]", r.heldOutCi().get(0), r.heldOutCi().get(1)) : "";
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %,d / %,d | %.1f | %.3f%s (n=%d) | %.3f | %s | %s | %s | %s | %s | %d | %,d | %s |%n",
                    r.facts(), r.variant(), size, lr, r.chosen() ? "yes" : "", r.ledgerPeakBytes(), r.predictedBytes(),
                    r.hostBytes() / (double) (1 << 20), r.heldOutEm(), ci, r.heldOutN(), r.heldOutF1(), num(r.validationEm()),
                    Double.isNaN(r.seenEm()) ? "-" : String.format(Locale.ROOT, "%.3f (n=%d)", r.seenEm(), r.seenN()),
                    num(r.extractionEm()), num(r.w0Em()), num(r.finalLoss()), r.steps(), r.targetTokens(),
                    Double.isNaN(r.stepSecondsMedian()) ? "-" : String.format(Locale.ROOT, "%.3f", r.stepSecondsMedian())));
        }
        return b.toString();
    }
}
