package org.meftspark.jobs.preprocess;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.negate;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.meftspark.data.Example;
import org.meftspark.data.HashSplit;
import org.meftspark.shard.Manifest;

/**
 * Near-duplicate questions between training examples and evaluation examples (every split
 * but train, of any dataset: a GSM8K training question paraphrasing a GSM8K test question,
 * or an NQ training question that is a SQuAD dev question; issue 3 item 7, issue 20 item 3).
 *
 * <p>Each question is lower-cased and split on non-word characters ({@code (?U)\W+}, Unicode
 * aware, platform-notes.md), stripped of English stop words (MLlib's list) and cut into shingles
 * of {@code k} words (a question shorter than {@code k} words is one shingle):
 * {@link ExactContamination#shingles}. A (training, evaluation) pair is reported when the Jaccard
 * similarity of the two shingle sets reaches the threshold. Every such pair is found:
 * <ul>
 *   <li>small inputs (at most {@code exactMaxPairs} pairs): every pair compared on the driver
 *       ({@link ExactContamination});</li>
 *   <li>larger ones: prefix filtering in Spark ({@link PrefixFilterJoin}), which compares only the
 *       pairs that share one of their rarest shingles and provably misses none.</li>
 * </ul>
 * Until issue 20 the large path was MinHash LSH, which missed pairs by chance and skipped its
 * largest buckets outright on templated questions.
 */
final class ContaminationCheck {
    /**
     * The outcome.
     *
     * @param summary what goes into the manifest (removed filled in by the caller)
     * @param pairs   every pair found (train_id, train_dataset, train_question, eval_id, eval_dataset,
     *                eval_split, eval_question, similarity), persisted; never collected whole, as templated data
     *                can have millions
     */
    record Result(Manifest.Contamination summary, Dataset<Row> pairs) {
    }

    /** Columns of the pairs found. */
    static final StructType PAIRS = new StructType()
            .add("train_id", DataTypes.StringType).add("train_dataset", DataTypes.StringType)
            .add("train_question", DataTypes.StringType).add("eval_id", DataTypes.StringType)
            .add("eval_dataset", DataTypes.StringType).add("eval_split", DataTypes.StringType)
            .add("eval_question", DataTypes.StringType).add("similarity", DataTypes.DoubleType);

    /** Questions the exact path collects on the driver at most (about 100 MB of short questions). */
    static final long EXACT_MAX_QUESTIONS = 500_000;

    private ContaminationCheck() {
    }

    /**
     * @param exactMaxPairs up to this many training x evaluation pairs every pair is compared on the driver
     *                      ({@link ExactContamination}), above it prefix filtering in Spark ({@link PrefixFilterJoin})
     */
    static Result run(SparkSession spark, JavaRDD<Example> examples, double threshold, int shingleWords,
                      long exactMaxPairs) {
        Map<String, Long> sides = examples.map(e -> e.split().equals(HashSplit.TRAIN) ? "train" : "eval")
                .countByValue();
        long trainCount = sides.getOrDefault("train", 0L);
        long evalCount = sides.getOrDefault("eval", 0L);
        if (trainCount == 0 || evalCount == 0) {
            // Nothing to compare (e.g. only training data).
            return new Result(new Manifest.Contamination(threshold, shingleWords, Manifest.Contamination.ALL_PAIRS, 0,
                    0, 0, Map.of(), 0, 0, ""), spark.createDataFrame(List.of(), PAIRS));
        }
        // The driver path collects the questions: bounded in count as well as in pairs.
        if (trainCount <= exactMaxPairs / evalCount && trainCount + evalCount <= EXACT_MAX_QUESTIONS) {
            return exact(spark, examples, threshold, shingleWords);
        }
        PrefixFilterJoin.Outcome joined = PrefixFilterJoin.run(spark, examples, threshold, shingleWords);
        return new Result(summary(threshold, shingleWords, Manifest.Contamination.PREFIX_FILTER,
                PairCounts.of(joined.pairs()), joined.comparedPairs(), joined.largestBucketPairs(),
                joined.largestBucket()), joined.pairs());
    }

    /** Every pair compared on the driver (small inputs). */
    private static Result exact(SparkSession spark, JavaRDD<Example> examples, double threshold, int shingleWords) {
        java.util.Set<String> stop = ExactContamination.stopWords();
        List<ExactContamination.Question> questions = new ArrayList<>();
        for (String[] q : examples.map(e -> new String[] {e.id(), e.dataset().key(), e.split(),
                e.fields().get(e.dataset().questionField())}).collect()) {
            questions.add(new ExactContamination.Question(q[0], q[1], q[2], q[3],
                    ExactContamination.shingles(q[3], shingleWords, stop)));
        }
        ExactContamination.Found found = ExactContamination.pairs(questions, threshold);
        // Counted here, from the list: two Spark jobs would cost seconds on a quickstart-sized input.
        Dataset<Row> pairs = spark.createDataFrame(found.pairs(), PAIRS).persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(summary(threshold, shingleWords, Manifest.Contamination.ALL_PAIRS, PairCounts.of(found.pairs()),
                found.compared(), 0, ""), pairs);
    }

    private static Manifest.Contamination summary(double threshold, int shingleWords, String method, PairCounts counts,
                                                  long compared, long largestBucketPairs, String largestBucket) {
        return new Manifest.Contamination(threshold, shingleWords, method, counts.total(), counts.trainExamples(), 0,
                counts.byDatasets(), compared, largestBucketPairs, largestBucket);
    }

    /** Pairs per "train dataset -> eval dataset/split", in all, and the distinct training examples among them. */
    private record PairCounts(Map<String, Long> byDatasets, long total, long trainExamples) {
        /** From pairs on the driver (rows of {@link #PAIRS}). */
        static PairCounts of(List<Row> pairs) {
            Map<String, Long> byDatasets = new TreeMap<>();
            java.util.Set<String> train = new java.util.HashSet<>();
            for (Row r : pairs) {
                byDatasets.merge(r.getString(1) + " -> " + r.getString(4) + "/" + r.getString(5), 1L, Long::sum);
                train.add(r.getString(0));
            }
            return new PairCounts(byDatasets, pairs.size(), train.size());
        }

        /** Counted in Spark: only the per-dataset counts reach the driver (templated data can have millions of pairs). */
        static PairCounts of(Dataset<Row> pairs) {
            Map<String, Long> byDatasets = new TreeMap<>();
            long total = 0;
            for (Row r : pairs.groupBy(concat(col("train_dataset"), lit(" -> "), col("eval_dataset"), lit("/"),
                    col("eval_split"))).count().collectAsList()) {
                byDatasets.put(r.getString(0), r.getLong(1));
                total += r.getLong(1);
            }
            return new PairCounts(byDatasets, total, pairs.select("train_id").distinct().count());
        }
    }

    /**
     * Training id -> its most similar evaluation example, in words (for removal: one entry per contaminated training
     * example reaches the driver). Ties go to the smaller text, so the message is the same on every run.
     */
    static Map<String, String> bestByTrain(Dataset<Row> pairs) {
        Column text = concat(col("eval_id"), lit(" (split "), col("eval_split"), lit(", Jaccard similarity "),
                format_string("%.3f", col("similarity")), lit(")"));
        Map<String, String> best = new HashMap<>();
        for (Row r : pairs.groupBy("train_id").agg(min_by(text, struct(negate(col("similarity")), text)))
                .collectAsList()) {
            best.put(r.getString(0), r.getString(1));
        }
        return best;
    }
}
