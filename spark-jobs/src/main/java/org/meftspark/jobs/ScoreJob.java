package org.meftspark.jobs;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.DataSection;
import org.meftspark.config.EvaluationSection;
import org.meftspark.config.RunSection;
import org.meftspark.config.SparkSection;
import org.meftspark.data.Dataset;
import org.meftspark.jobs.input.RejectPolicy;
import org.meftspark.jobs.score.Score;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The scoring job (issue 6): scores another system's predictions against references. The work is
 * in {@link Score}; this class is the command line of both launchers:
 *
 * <pre>
 * bin/meft score --predictions preds.jsonl --references work/shards --out work/scores
 * bin/meft score --predictions preds.parquet --references NQ-open.dev.jsonl --dataset nq_open --out DIR
 * bin/meft-submit --master local[4] --class org.meftspark.jobs.ScoreJob -- --predictions ... --out ...
 * </pre>
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Scores predictions of any system against references (a shard set, or a raw dataset file with "
                + "--dataset): JSON lines with id (with or without the squad: prefix) or question, and prediction; the "
                + "official SQuAD prediction dict {\"id\": \"answer\"}; or Parquet with id and prediction. Writes "
                + "predictions/ (Parquet, every metric per row, the question next to the id), metrics.json, "
                + "report.html, and lists what could not be matched: missing_predictions/ (scored as empty answers), "
                + "unknown_predictions/, ambiguous_predictions/ (questions that match several references), "
                + "duplicates/ and _rejects/.",
                "A failed run leaves nothing at --out. It also exits 1 when no reference got a prediction or more "
                        + "than --max-reject-fraction of a dataset's references (or of the prediction records) went "
                        + "unmatched: the scores are still written; --allow-rejects accepts it."})
public final class ScoreJob extends SparkJobCommand {

    @Option(names = "--predictions", required = true, paramLabel = "PATH",
            description = "Predictions: a JSON-lines file or folder ({\"id\": ..., \"prediction\": ...} per line) or "
                    + "Parquet with columns id and prediction; any Hadoop path.")
    String predictions;

    @Option(names = {"--format", "--predictions-format"}, defaultValue = "auto",
            description = "Predictions' format: auto (Parquet by file name, else told from the first line and "
                    + "printed), jsonl (id or question per line), squad (the official prediction dict) or parquet.")
    String predictionsFormat;

    @Option(names = "--max-reject-fraction", paramLabel = "F",
            description = "Share of a dataset's references that may go without a prediction (and of prediction "
                    + "records that may be unreadable or unmatched) before the exit code is 1 (default: "
                    + "data.max_reject_fraction).")
    Double maxRejectFraction;

    @Option(names = "--allow-rejects", description = "Exit 0 whatever share went unmatched.")
    boolean allowRejects;

    @Option(names = "--references", required = true, paramLabel = "PATH",
            description = "A shard set (folder with manifest.json), or a raw dataset file or folder (then --dataset).")
    String references;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "Dataset of raw references: nq_open, squad, toolbench or gsm8k.")
    String dataset;

    @Option(names = "--references-format", defaultValue = "auto",
            description = "Raw references' layout: auto, published, parquet or hf_arrow (default ${DEFAULT-VALUE}).")
    String referencesFormat;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory, any Hadoop path.")
    String out;

    @Option(names = "--overwrite", description = "Replace an existing result at --out.")
    boolean overwrite;

    @Option(names = "--method", defaultValue = "predictions", paramLabel = "NAME",
            description = "Label of these predictions in metrics.json and the report (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--bootstrap-samples", paramLabel = "N",
            description = "Bootstrap resamples for the 95%% intervals; 0 disables them (default: evaluation.bootstrap_samples).")
    Integer bootstrapSamples;

    @Option(names = "--seed", paramLabel = "N", description = "Bootstrap and sample seed (default: run.seed).")
    Long seed;

    @Option(names = "--report-examples", paramLabel = "N",
            description = "Wrong answers per dataset in report.html (default: evaluation.report_examples).")
    Integer reportExamples;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master when spark-submit gives none (default: spark.master).")
    String master;

    @Option(names = "--partitions", defaultValue = "0", description = "Partitions of the join; 0 lets Spark decide.")
    int partitions;

    private Score.Options options;

    @Override
    protected SessionSettings prepare() {
        // Score reads no configuration file: its options are checked here, before Spark starts.
        options = new Score.Options(predictions, choice("--format", predictionsFormat, Score.PredictionFormat.class),
                references, dataset == null ? null : Dataset.fromKey(dataset),
                choice("--references-format", referencesFormat, DataSection.Format.class), out, overwrite, method,
                atLeastZero("--bootstrap-samples", bootstrapSamples, EvaluationSection.BOOTSTRAP_SAMPLES.defaultValue()),
                seed != null ? seed : RunSection.SEED.defaultValue(),
                atLeastZero("--report-examples", reportExamples, EvaluationSection.REPORT_EXAMPLES.defaultValue()),
                atLeastZero("--partitions", partitions, 0), fraction());
        return new SessionSettings("meft-score", master != null ? master : SparkSection.MASTER.defaultValue(), Map.of());
    }

    @Override
    protected int run(SparkSession spark) throws Exception {
        Score.Result r = Score.run(spark, options);
        out().print(r.table());
        out().flush();
        return RejectPolicy.exitCode(r.problems(), allowRejects, err(), "score");
    }

    /** The constant of {@code type} that {@code value} names, in any case; a usage error naming the choices otherwise. */
    private <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new ParameterException(spec.commandLine(), option + " " + value + ": expected one of " + Arrays.stream(
                type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
    }

    private int atLeastZero(String option, Integer value, int byDefault) {
        if (value != null && value < 0) {
            throw new ParameterException(spec.commandLine(), option + " " + value + ": expected 0 or more");
        }
        return value != null ? value : byDefault;
    }

    private double fraction() {
        if (maxRejectFraction != null && !(maxRejectFraction >= 0 && maxRejectFraction <= 1)) {
            throw new ParameterException(spec.commandLine(), "--max-reject-fraction " + maxRejectFraction
                    + ": expected a number in [0, 1]");
        }
        return maxRejectFraction != null ? maxRejectFraction : DataSection.MAX_REJECT_FRACTION.defaultValue();
    }

    /** Entry point for spark-submit. */
    public static void main(String[] args) {
        JobMain.run(new ScoreJob(), args);
    }
}
