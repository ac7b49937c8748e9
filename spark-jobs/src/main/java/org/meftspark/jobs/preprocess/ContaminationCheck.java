package org.meftspark.jobs.preprocess;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
     * @param summary     what goes into the manifest (removed filled in by the caller)
     * @param pairs       every pair found (train_id, train_dataset, train_question, eval_id, eval_dataset,
     *                    eval_split, eval_question, similarity), persisted
     * @param bestByTrain training id -> its most similar evaluation example, in words
     */
    record Result(Manifest.Contamination summary, Dataset<Row> pairs, Map<String, String> bestByTrain) {
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
                    0, 0, Map.of(), 0, 0, ""), spark.createDataFrame(List.of(), PAIRS), Map.of());
        }
        // The driver path collects the questions: bounded in count as well as in pairs.
        if (trainCount <= exactMaxPairs / evalCount && trainCount + evalCount <= EXACT_MAX_QUESTIONS) {
            return exact(spark, examples, threshold, shingleWords);
        }
        PrefixFilterJoin.Outcome joined = PrefixFilterJoin.run(spark, examples, threshold, shingleWords);
        List<Row> found = joined.pairs().collectAsList();
        PairCounts counts = PairCounts.of(found);
        Map<String, String> best = bestByTrain(found);
        Manifest.Contamination summary = new Manifest.Contamination(threshold, shingleWords,
                Manifest.Contamination.PREFIX_FILTER, counts.total(), best.size(), 0, counts.byDatasets(),
                joined.comparedPairs(), joined.largestBucketPairs(), joined.largestBucket());
        return new Result(summary, joined.pairs(), best);
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
        PairCounts counts = PairCounts.of(found.pairs());
        Map<String, String> best = bestByTrain(found.pairs());
        return new Result(new Manifest.Contamination(threshold, shingleWords, Manifest.Contamination.ALL_PAIRS,
                counts.total(), best.size(), 0, counts.byDatasets(), found.compared(), 0, ""),
                spark.createDataFrame(found.pairs(), PAIRS), best);
    }

    /** Pairs found per "train dataset -> eval dataset/split", and in all. */
    private record PairCounts(Map<String, Long> byDatasets, long total) {
        /** Counts pairs (rows of {@link #PAIRS}) by datasets. */
        static PairCounts of(List<Row> pairs) {
            Map<String, Long> byDatasets = new TreeMap<>();
            for (Row r : pairs) {
                byDatasets.merge(r.getString(1) + " -> " + r.getString(4) + "/" + r.getString(5), 1L, Long::sum);
            }
            return new PairCounts(byDatasets, pairs.size());
        }
    }

    /** Training id -> its most similar evaluation example, in words, from pairs (rows of {@link #PAIRS}). */
    private static Map<String, String> bestByTrain(List<Row> all) {
        Map<String, String> best = new HashMap<>();
        Map<String, Double> bestSimilarity = new HashMap<>();
        for (Row r : all) {
            double s = r.getDouble(7);
            String id = r.getString(0);
            // Ties go to the smaller eval id, so the message is the same on every run.
            String text = r.getString(3) + " (split " + r.getString(5) + ", Jaccard similarity "
                    + String.format(java.util.Locale.ROOT, "%.3f", s) + ")";
            Double prev = bestSimilarity.get(id);
            if (prev == null || s > prev || (s == prev && text.compareTo(best.get(id)) < 0)) {
                best.put(id, text);
                bestSimilarity.put(id, s);
            }
        }
        return best;
    }
}
