package org.meftspark.jobs.preprocess;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.meftspark.config.DataSection;
import org.meftspark.config.RunConfig;
import org.meftspark.data.Example;
import org.meftspark.data.UnusableInputException;
import org.meftspark.jobs.input.InputFile;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.ReadStage;
import org.meftspark.jobs.input.RejectPolicy;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.ManifestBuilder;
import org.meftspark.shard.ShardPlan;
import org.meftspark.shard.ShardWriter;
import org.meftspark.spark.HadoopConf;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.spark.OutputCommit;
import org.meftspark.spark.RowProgress;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.tokenize.Tokenizer;

/**
 * The preprocessing pipeline on Spark. Stages, each a thin wrapper of library code:
 * <ol>
 *   <li>{@link ReadStage}: inputs to examples and rejections (library readers, RowMapping);</li>
 *   <li>{@link Dedup}: one example per id, partitions sorted by id;</li>
 *   <li>{@link ContaminationCheck}: near-duplicate questions between training and evaluation data;</li>
 *   <li>{@link TokenizeStage}: {@link org.meftspark.tokenize.SequenceBuilder} per partition, the tokenizer
 *       built once per executor;</li>
 *   <li>{@link Tally}: one job over the tokenized records, for the shard plan, the summary and the rejects;</li>
 *   <li>{@link ShardStage}: shards balanced by token count, one Arrow file per task;</li>
 *   <li>{@link RejectsOutput}, manifest, {@code _contamination/}, then {@link OutputCommit}.</li>
 * </ol>
 * With the contamination check off, read, dedup and tokenize run as one stage after the dedup shuffle and
 * the whole job is two Spark jobs: the tally and the shard write.
 * Every record kept out of the shards is counted in the manifest and written to
 * {@code _rejects/} with its reason; only an unusable input (a missing or unreadable file)
 * stops the job, naming the file, and then nothing is left at the output.
 */
public final class Preprocess {
    /** Contamination pairs shown in the summary table (all are in _contamination/). */
    private static final int EXAMPLE_PAIRS = 3;
    private static final OutputCommit.Purpose PURPOSE = new OutputCommit.Purpose("preprocess", "data.shards",
            Manifest.FILE_NAME, "a shard set", "Set data.overwrite: true (or --set data.overwrite=true)");

    private Preprocess() {
    }

    /**
     * What a run produced.
     *
     * @param manifest the committed manifest
     * @param output   the output directory (qualified URI)
     * @param table    the summary table printed by the command line
     * @param problems why the run lost too much to count as a success ({@link RejectPolicy}); empty when it
     *                 did not. The output is committed either way.
     */
    public record Result(Manifest manifest, String output, String table, List<String> problems) {
    }

    /** Runs the pipeline with {@code spark}, its rows done and ETA on standard error. */
    public static Result run(SparkSession spark, RunConfig cfg) throws IOException {
        return run(spark, cfg, new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    }

    /**
     * Runs the pipeline with {@code spark}; the records read, then the records tokenized out of them, with the
     * ETA, are printed to {@code progress}.
     *
     * @throws UnusableInputException naming the file when an input cannot be read at all
     * @throws org.meftspark.spark.OutputConflictException when the output exists and data.overwrite is false
     */
    public static Result run(SparkSession spark, RunConfig cfg, PrintWriter progress) throws IOException {
        long start = System.nanoTime();
        DataSection d = cfg.data();
        if (d.inputs().isEmpty()) {
            throw new IllegalArgumentException("data.inputs is empty: list at least one dataset file (dataset, path)");
        }
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        HadoopConf conf = new HadoopConf(hadoop);
        // Everything that can be wrong before any work (paths, tokenizer, templates, output) fails here.
        Setup setup = Setup.of(spark, cfg);
        OutputCommit commit = OutputCommit.begin(d.shards(), d.overwrite(), hadoop, PURPOSE);
        List<Runnable> release = new ArrayList<>();
        // The output being written after the shards (whose tasks name their files themselves), for the
        // message of a failed write: the driver's _rejects file and Spark's _contamination/ parts.
        String writing = null;
        try {
            Phases phases = new Phases();
            Tokenized t = tokenize(spark, cfg, setup, conf, release, phases, progress);
            JavaRDD<TokenizedExample> rows = t.records().filter(Outcome::isOk).map(Outcome::value);
            ShardPlan plan = ShardPlan.of(rows.getNumPartitions(), t.tally().byPartition(), d.shardTokens());
            HadoopShardStore staging = HadoopShardStore.inExistingDir(commit.staging().toString(), conf);
            List<ShardWriter.ShardSummary> shards = publishShards(ShardStage.write(rows, plan, staging, d.shardRows()),
                    commit.staging(), hadoop);
            phases.done("shards");

            Path rejectsDir = new Path(commit.staging(), "_rejects");
            writing = "the rejects to " + rejectsDir;
            RejectsOutput.write(t.tally(), t.records(), rejectsDir, hadoop);
            writing = null;
            Map<String, Long> rejectCounts = t.tally().rejectCounts();
            ManifestBuilder manifest = setup.manifest(d);
            shards.forEach(manifest::addShard);
            rejectCounts.forEach((k, v) -> manifest.reject(k.substring(0, k.indexOf('\t')), v));
            List<String> examplePairs = List.of();
            if (t.contamination() != null) {
                manifest.contamination(contaminationSummary(t.contamination(), d));
                Path contaminationDir = new Path(commit.staging(), "_contamination");
                writing = "the contamination pairs to " + contaminationDir;
                t.contamination().pairs().orderBy("train_id", "eval_id").coalesce(1).write()
                        .json(contaminationDir.toString());
                writing = null;
                examplePairs = examplePairs(t.contamination());
            }
            Manifest m = manifest.build();
            m.writeTo(staging);
            commit.commit(d.overwrite());
            phases.done("rejects+manifest");
            String output = commit.output().toString();
            return new Result(m, output, SummaryTable.render(output, m, t.tally().byDatasetSplit(), t.tally().needed(),
                    d.maxLength(), rejectCounts, examplePairs, (System.nanoTime() - start) / 1e9) + "phases: " + phases
                    + "\n", problems(t.tally(), rejectCounts, d));
        } catch (Throwable e) {
            // Throwable: Spark throws SparkException, a checked exception no signature declares.
            commit.abort();
            throw unwrap(e, writing);
        } finally {
            release.forEach(Runnable::run);
        }
    }

    /**
     * What the run needs before any Spark work, each checked: the input files, the tokenizer, the templates.
     *
     * @param partitions the partitions of the dedup shuffle and every stage after it
     */
    private record Setup(List<InputFile> files, String tokenizerSpec, TokenizerSource tokenizerSource,
                         Tokenizer tokenizer, PromptTemplates templates, boolean chat, int partitions) {
        static Setup of(SparkSession spark, RunConfig cfg) {
            DataSection d = cfg.data();
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            List<InputFile> files = InputFile.resolve(d.inputs(), hadoop);
            String tokenizerSpec = org.meftspark.model.ModelTokenizer.spec(cfg.model());
            TokenizerSource tokenizerSource = TokenizerSource.resolve(tokenizerSpec, hadoop);
            Tokenizer tokenizer = tokenizerSource.get();
            PromptTemplates templates = PromptTemplates.configured(d.templates());
            boolean chat = d.chatTemplate() == org.meftspark.config.DataSection.ChatTemplateMode.MODEL;
            // A tokenizer without a chat template is refused here, before any Spark work.
            new org.meftspark.tokenize.SequenceBuilder(tokenizer, templates, d.maxLength(), d.truncationSide(),
                    d.squadStride(), chat);
            int partitions = cfg.spark().partitions() > 0 ? cfg.spark().partitions()
                    : spark.sparkContext().defaultParallelism();
            return new Setup(files, tokenizerSpec, tokenizerSource, tokenizer, templates, chat, partitions);
        }

        /** The manifest's builder with the settings the shards were made with. */
        ManifestBuilder manifest(DataSection d) {
            return new ManifestBuilder(tokenizer, templates)
                    .setting("tokenizer", tokenizerSpec)
                    .setting("max_length", d.maxLength())
                    .setting("chat_template", d.chatTemplate().name().toLowerCase(java.util.Locale.ROOT))
                    .setting("truncation_side", d.truncationSide().name().toLowerCase(java.util.Locale.ROOT))
                    .setting("dev_fraction", d.devFraction())
                    .setting("shard_tokens", d.shardTokens())
                    .setting("shard_rows", d.shardRows())
                    .setting("partitions", partitions)
                    .setting("inputs", d.inputs().stream().map(i -> i.dataset().key() + ":" + i.path()
                            + (i.split().isEmpty() ? "" : "@" + i.split())).toList());
        }
    }

    /**
     * Every record of the job, tokenized or rejected (persisted), their tally, and the contamination check's
     * result (null when it is off).
     */
    private record Tokenized(JavaRDD<Outcome<TokenizedExample>> records, Tally tally,
                             ContaminationCheck.Result contamination) {
    }

    /**
     * Reads, deduplicates, checks for contamination and tokenizes, and tallies the records: the job's work up to
     * the shards. Prints the records read, then the records tokenized out of them with the ETA.
     */
    private static Tokenized tokenize(SparkSession spark, RunConfig cfg, Setup setup, HadoopConf conf,
                                      List<Runnable> release, Phases phases, PrintWriter out) {
        DataSection d = cfg.data();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (RowProgress progress = RowProgress.counting(spark, "preprocess", out)) {
            // Read, dedup and tokenize are one Spark stage after the dedup shuffle; the readers' rejects travel
            // with the examples, so `records` holds every record of the job exactly once.
            JavaRDD<Outcome<Example>> deduped = Dedup.apply(
                    progress.countSeen(ReadStage.read(spark, setup.files(), conf, d.devFraction())), setup.partitions());
            Broadcast<Map<String, String>> toRemove = null;
            ContaminationCheck.Result contamination = null;
            if (d.contaminationCheck()) {
                // The check reads the examples once more: keep them, and time the read on its own.
                keep(release, deduped).count();
                phases.done("read+dedup");
                contamination = ContaminationCheck.run(spark, deduped.filter(Outcome::isOk).map(Outcome::value),
                        d.contaminationThreshold(), d.contaminationShingleWords(), d.contaminationExactMaxPairs());
                Dataset<Row> pairs = contamination.pairs();
                release.add(pairs::unpersist);
                if (d.removeContaminated() && contamination.summary().pairs() > 0) {
                    toRemove = jsc.broadcast(ContaminationCheck.bestByTrain(pairs));
                }
                phases.done("contamination");
            }
            // Broadcast: the tokenizer's files (1.8 MB for Mistral) reach each executor once,
            // not inside the task binary of every later stage.
            TokenizeStage tokenize = new TokenizeStage(jsc.broadcast(setup.tokenizerSource()), setup.templates(),
                    d.maxLength(), d.truncationSide(), d.squadStride(), setup.chat(), toRemove);
            JavaRDD<Outcome<TokenizedExample>> records = keep(release,
                    progress.countDone(deduped).mapPartitions(tokenize::apply));
            Tally tally = Tally.of(records, RejectsOutput.perPartition(setup.partitions()));
            phases.done(d.contaminationCheck() ? "tokenize" : "read+dedup+tokenize");
            return new Tokenized(records, tally, contamination);
        }
    }

    /** The check's summary for the manifest, with the pairs it removed. */
    private static Manifest.Contamination contaminationSummary(ContaminationCheck.Result contamination, DataSection d) {
        long removed = d.removeContaminated() ? contamination.summary().trainExamples() : 0;
        return contamination.summary().withRemoved(removed);
    }

    /** The most similar contamination pairs, for the summary table. */
    private static List<String> examplePairs(ContaminationCheck.Result contamination) {
        return contamination.pairs().orderBy(org.apache.spark.sql.functions.col("similarity").desc(),
                org.apache.spark.sql.functions.col("train_id")).limit(EXAMPLE_PAIRS).collectAsList().stream()
                .map(Preprocess::describePair).toList();
    }

    /** The reject policy over the tally, with the suggested max_length where length rejects are the cause. */
    private static List<String> problems(Tally tally, Map<String, Long> rejectCounts, DataSection d) {
        Map<String, Long> kept = new java.util.TreeMap<>();
        Map<String, Long> rejected = new java.util.TreeMap<>();
        Map<String, org.meftspark.shard.TokenStats> needed = new java.util.TreeMap<>();
        tally.byDatasetSplit().forEach((k, v) -> {
            String dataset = k.substring(0, k.indexOf('\t'));
            kept.merge(dataset, v[Tally.ROWS], Long::sum);
            rejected.merge(dataset, v[Tally.COUNTED], Long::sum);
        });
        tally.needed().forEach((k, v) -> needed.merge(k.substring(0, k.indexOf('\t')),
                new org.meftspark.shard.TokenStats().merge(v), org.meftspark.shard.TokenStats::merge));
        List<String> out = new ArrayList<>();
        for (String p : new RejectPolicy(d.maxRejectFraction()).problems(kept, rejected, rejectCounts, "records",
                "the shards are written; fix the input or the settings, or pass --allow-rejects to accept")) {
            String dataset = p.substring(0, Math.max(p.indexOf(':'), 0));
            org.meftspark.shard.TokenStats t = needed.get(dataset);
            int suggested = t == null ? 0 : t.percentile(SummaryTable.KEEP_PERCENT);
            out.add(suggested > d.maxLength() ? p + " (data.max_length " + suggested + " would keep 99% whole)" : p);
        }
        return out;
    }

    /** Wall time of each phase, for the summary (where does a slow run spend its time?). */
    private static final class Phases {
        private final StringBuilder text = new StringBuilder();
        private long last = System.nanoTime();

        void done(String phase) {
            long now = System.nanoTime();
            text.append(text.isEmpty() ? "" : ", ").append(phase)
                    .append(String.format(java.util.Locale.ROOT, " %.1f s", (now - last) / 1e9));
            last = now;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /** {@code rdd}, persisted until the run ends ({@code release}). */
    private static <T> JavaRDD<T> keep(List<Runnable> release, JavaRDD<T> rdd) {
        rdd.persist(StorageLevel.MEMORY_AND_DISK());
        release.add(rdd::unpersist);
        return rdd;
    }

    /**
     * Renames each winning attempt file to {@code part-NNNNN.arrow}, numbered without gaps in
     * plan order (a planned shard can end up empty), and deletes files of other attempts.
     */
    private static List<ShardWriter.ShardSummary> publishShards(List<ShardStage.Written> written, Path staging,
                                                                Configuration hadoop) throws IOException {
        FileSystem fs = staging.getFileSystem(hadoop);
        List<ShardStage.Written> sorted = new ArrayList<>(written);
        sorted.sort(Comparator.comparingInt(ShardStage.Written::shard));
        List<ShardWriter.ShardSummary> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            ShardStage.Written w = sorted.get(i);
            String name = String.format("part-%05d.arrow", i);
            if (!fs.rename(new Path(staging, w.attemptFile()), new Path(staging, name))) {
                throw new IOException("cannot rename " + w.attemptFile() + " to " + name + " in " + staging);
            }
            Manifest.Shard s = w.summary().shard();
            out.add(new ShardWriter.ShardSummary(new Manifest.Shard(name, s.rows(), s.bytes(), s.sha256(),
                    s.rowsBySplit()), w.summary().stats()));
        }
        for (FileStatus f : fs.listStatus(staging)) {
            if (f.getPath().getName().contains(".attempt-")) {
                fs.delete(f.getPath(), false);
            }
        }
        return out;
    }

    private static String describePair(Row r) {
        return String.format(java.util.Locale.ROOT, "%.2f  %s \"%s\"  ~  %s/%s \"%s\"", r.getDouble(7), r.getString(0),
                abbreviate(r.getString(2)), r.getString(3), r.getString(5), abbreviate(r.getString(6)));
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 60 ? one : one.substring(0, 57) + "...";
    }

    /**
     * Spark wraps a task's exception in a "Job aborted due to stage failure" message many lines
     * long; the user needs the one that names the bad file.
     *
     * @param writing the output being written when {@code e} was thrown, if one after the shards
     */
    private static RuntimeException unwrap(Throwable e, String writing) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnusableInputException u) {
                return u;
            }
        }
        // A task's exception reaches the driver as text inside SparkException's message.
        String marker = UnusableInputException.class.getName() + ": ";
        String msg = String.valueOf(e.getMessage());
        int at = msg.indexOf(marker);
        if (at >= 0) {
            String inner = msg.substring(at + marker.length());
            int eol = inner.indexOf('\n');
            return new UnusableInputException(eol < 0 ? inner : inner.substring(0, eol), e);
        }
        // A shard that could not be written (disk full, permissions): the line naming the file.
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            int w = m.indexOf(ShardStage.WRITE_FAILED);
            if (w >= 0) {
                int eol = m.indexOf('\n', w);
                return WriteFailure.of(m.substring(w, eol < 0 ? m.length() : eol), e);
            }
        }
        String reason = writing == null ? null : WriteFailure.ioReason(e);
        if (reason != null) {
            return WriteFailure.of("cannot write " + writing + ": " + reason, e);
        }
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e instanceof IOException io) {
            return new java.io.UncheckedIOException(io.getMessage(), io);
        }
        return new IllegalStateException("preprocessing failed: " + e.getMessage(), e);
    }
}
