package org.meftspark.jobs.preprocess;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_intersect;
import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StopWordsRemover;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.meftspark.data.Example;
import org.meftspark.data.HashSplit;
import org.meftspark.shard.Manifest;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Near-duplicate questions between training examples and evaluation examples (every split
 * but train, of any dataset: a GSM8K training question paraphrasing a GSM8K test question,
 * or an NQ training question that is a SQuAD dev question) with Spark MLlib (issue 3, item 7).
 *
 * <p>Each question is lower-cased and split on non-word characters ({@code (?U)\W+}, Unicode
 * aware, platform-notes.md), stripped of English stop words (MLlib's list), cut into shingles
 * of {@code k} words (a question shorter than {@code k} words is one shingle) and hashed into a
 * sparse binary vector; {@link MinHashLSH} gives each question {@code 3 * tables} min-hashes,
 * banded three to a table key. Questions sharing a key in any table are candidates, and the
 * exact Jaccard similarity of their shingle sets decides. A pair of similarity s is missed
 * with probability (1 - s^3)^tables.
 *
 * <p>A bucket (table, key) whose training count x evaluation count exceeds {@code maxBucketPairs}
 * makes no candidates: on templated questions almost every bucket is shared by a large share of
 * both sides and the join would be quadratic. The skipped buckets and the pairs they would have
 * made are counted in the summary, never dropped silently; a near-duplicate pair still meets in
 * any other table where its bucket is small, which is where distinctive words put it.
 */
final class ContaminationCheck {
    /** Sparse feature space of the shingle hashes: 2^20 makes collisions between two short questions negligible. */
    private static final int FEATURES = 1 << 20;

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

    /** Min-hashes ANDed into one band key. */
    static final int ROWS_PER_BAND = 3;

    /** Array of 1-element min-hash vectors to one key per band of ROWS_PER_BAND of them. */
    private static final UserDefinedFunction BAND_KEYS = udf((UDF1<scala.collection.Seq<Vector>, List<Long>>) hashes -> {
        List<Vector> h = CollectionConverters.asJava(hashes);
        List<Long> keys = new ArrayList<>(h.size() / ROWS_PER_BAND);
        for (int band = 0; band + ROWS_PER_BAND <= h.size(); band += ROWS_PER_BAND) {
            long key = 1125899906842597L;
            for (int r = 0; r < ROWS_PER_BAND; r++) {
                // Min-hashes are below 2^31; a rare collision of this polynomial hash only adds a
                // candidate, which the exact Jaccard then drops.
                key = 31 * key + (long) h.get(band + r).apply(0);
            }
            keys.add(key);
        }
        return keys;
    }, DataTypes.createArrayType(DataTypes.LongType));

    private ContaminationCheck() {
    }

    /**
     * @param exactMaxPairs up to this many training x evaluation pairs every pair is compared on the driver
     *                      ({@link ExactContamination}; reported with 0 hash tables), above it MinHash in Spark
     */
    static Result run(SparkSession spark, JavaRDD<Example> examples, double threshold, int shingleWords,
                      int hashTables, long maxBucketPairs, long exactMaxPairs, long seed) {
        Map<String, Long> sides = examples.map(e -> e.split().equals(HashSplit.TRAIN) ? "train" : "eval")
                .countByValue();
        long trainCount = sides.getOrDefault("train", 0L);
        long evalCount = sides.getOrDefault("eval", 0L);
        // The exact path collects the questions on the driver: bounded in count as well as in pairs.
        if (trainCount > 0 && evalCount > 0 && trainCount <= exactMaxPairs / evalCount
                && trainCount + evalCount <= EXACT_MAX_QUESTIONS) {
            return exact(spark, examples, threshold, shingleWords, maxBucketPairs);
        }
        Dataset<Row> features = features(spark, examples, shingleWords);
        if (trainCount == 0 || evalCount == 0) {
            // Nothing to compare (e.g. only training data): skip the index, which costs seconds.
            Dataset<Row> none = spark.createDataFrame(List.of(), PAIRS);
            return new Result(new Manifest.Contamination(threshold, shingleWords, hashTables, 0, 0, 0, Map.of(),
                    maxBucketPairs, 0, 0),
                    none, Map.of());
        }

        // MLlib computes the min-hashes; the bands are ours. MinHashLSH's own join ORs single
        // min-hashes, so two questions sharing any one common word are compared: on GSM8K that
        // made 1.6 M of the 9.9 M train x test pairs candidates. ANDing ROWS_PER_BAND min-hashes
        // per table drops a pair of similarity s with probability (1 - s^3)^tables (0.0012 at
        // s = 0.7 with 16 tables), and unrelated questions (s ~ 0.15) are candidates 14x less often.
        MinHashLSHModel model = new MinHashLSH().setNumHashTables(hashTables * ROWS_PER_BAND).setSeed(seed)
                .setInputCol("features").setOutputCol("hashes").fit(features);
        // Persisted: the bucket counts and the join both read it, and the min-hashes cost a pass each.
        Dataset<Row> hashed = model.transform(features).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> banded = hashed
                .select(col("id"), col("dataset"), col("split"), col("question"), col("set"),
                        posexplode(BAND_KEYS.apply(col("hashes"))).as(new String[] {"band", "key"}));
        Oversize oversize = Oversize.of(banded, maxBucketPairs);
        Dataset<Row> pairs = similarPairs(oversize.dropFrom(banded), threshold);
        List<Row> found = pairs.collectAsList();
        PairCounts counts = PairCounts.of(found);
        Map<String, String> best = bestByTrain(found);
        // pairs is materialised (persisted, collected twice) and no longer reads them.
        oversize.buckets().unpersist();
        hashed.unpersist();
        Manifest.Contamination summary = new Manifest.Contamination(threshold, shingleWords, hashTables,
                counts.total(), best.size(), 0, counts.byDatasets(), maxBucketPairs, oversize.skippedBuckets(),
                oversize.skippedPairs());
        return new Result(summary, pairs, best);
    }

    /** Every pair compared on the driver (small inputs): the same summary, 0 hash tables, nothing skipped. */
    private static Result exact(SparkSession spark, JavaRDD<Example> examples, double threshold, int shingleWords,
                                long maxBucketPairs) {
        java.util.Set<String> stop = ExactContamination.stopWords();
        List<ExactContamination.Question> questions = new ArrayList<>();
        for (String[] q : examples.map(e -> new String[] {e.id(), e.dataset().key(), e.split(),
                e.fields().get(e.dataset().questionField())}).collect()) {
            questions.add(new ExactContamination.Question(q[0], q[1], q[2], q[3],
                    ExactContamination.shingles(q[3], shingleWords, stop)));
        }
        List<Row> found = ExactContamination.pairs(questions, threshold);
        PairCounts counts = PairCounts.of(found);
        Map<String, String> best = bestByTrain(found);
        return new Result(new Manifest.Contamination(threshold, shingleWords, 0, counts.total(), best.size(), 0,
                counts.byDatasets(), maxBucketPairs, 0, 0), spark.createDataFrame(found, PAIRS), best);
    }

    /** Each question's shingle set and its hashed feature vector; a question without a shingle is left out. */
    private static Dataset<Row> features(SparkSession spark, JavaRDD<Example> examples, int shingleWords) {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType, false)
                .add("dataset", DataTypes.StringType, false)
                .add("split", DataTypes.StringType, false)
                .add("question", DataTypes.StringType, false);
        JavaRDD<Row> rows = examples.map(e -> RowFactory.create(e.id(), e.dataset().key(), e.split(),
                e.fields().get(e.dataset().questionField())));
        Dataset<Row> allWords = new RegexTokenizer().setInputCol("question").setOutputCol("allWords")
                .setPattern("(?U)\\W+").setToLowercase(true).setMinTokenLength(1)
                .transform(spark.createDataFrame(rows, schema));
        // Stop words out: with them, most questions share "the"/"what"/"how", MinHash buckets
        // hold a large share of all questions and the candidate pairs grow quadratically (77 s
        // instead of seconds on the ../shared datasets); they also say little about whether two
        // questions ask the same thing.
        Dataset<Row> words = new StopWordsRemover().setInputCol("allWords").setOutputCol("words")
                .transform(allWords);
        Dataset<Row> shingled;
        if (shingleWords == 1) {
            shingled = words.withColumn("shingles", col("words"));
        } else {
            shingled = new NGram().setN(shingleWords).setInputCol("words").setOutputCol("grams").transform(words)
                    .withColumn("shingles", when(size(col("words")).lt(shingleWords),
                            array(concat_ws(" ", col("words")))).otherwise(col("grams")));
        }
        // MinHash needs at least one shingle; a question of punctuation only has nothing to compare.
        return new HashingTF().setInputCol("shingles").setOutputCol("features")
                .setNumFeatures(FEATURES).setBinary(true)
                .transform(shingled.filter(size(col("shingles")).gt(0)))
                .select(col("id"), col("dataset"), col("split"), col("question"), col("features"),
                        array_distinct(col("shingles")).as("set"));
    }

    /** Whether a row is a training example; every other split is evaluation. */
    private static Column isTrain() {
        return col("split").equalTo(HashSplit.TRAIN);
    }

    /**
     * The buckets whose training x evaluation pairs exceed the cap (persisted: counted here, anti-joined later),
     * with how many there are and the candidate pairs skipped with them.
     */
    private record Oversize(Dataset<Row> buckets, long skippedBuckets, long skippedPairs) {
        /** Finds and counts the oversize (band, key) buckets of {@code banded}. */
        static Oversize of(Dataset<Row> banded, long maxBucketPairs) {
            Column isTrain = isTrain();
            Dataset<Row> oversize = banded.groupBy("band", "key")
                    .agg(sum(when(isTrain, 1L).otherwise(0L)).as("n_train"),
                            sum(when(isTrain, 0L).otherwise(1L)).as("n_eval"))
                    .withColumn("bucket_pairs", col("n_train").multiply(col("n_eval")))
                    .filter(col("bucket_pairs").gt(maxBucketPairs))
                    .select("band", "key", "bucket_pairs")
                    .persist(StorageLevel.MEMORY_AND_DISK());
            Row skipped = oversize.agg(count(lit(1)), coalesce(sum(col("bucket_pairs")), lit(0L))).first();
            return new Oversize(oversize, skipped.getLong(0), skipped.getLong(1));
        }

        /** {@code banded} without its rows in an oversize bucket (unchanged when there is none). */
        Dataset<Row> dropFrom(Dataset<Row> banded) {
            if (skippedBuckets > 0) {
                // Anti-join on (band, key): few buckets can be oversize (each holds at least 2 sqrt(cap)
                // rows), so adaptive execution broadcasts them. Renamed: oversize derives from banded, and
                // same-named columns of both sides would make the condition ambiguous.
                Dataset<Row> drop = buckets.select(col("band").as("o_band"), col("key").as("o_key"));
                return banded.join(drop, col("band").equalTo(col("o_band")).and(col("key").equalTo(col("o_key"))),
                        "left_anti");
            }
            return banded;
        }
    }

    /** Training x evaluation pairs that share a bucket and reach the threshold's Jaccard similarity, persisted. */
    private static Dataset<Row> similarPairs(Dataset<Row> banded, double threshold) {
        Dataset<Row> a = banded.filter(isTrain()).as("a");
        Dataset<Row> b = banded.filter(col("split").notEqual(HashSplit.TRAIN)).as("b");
        Column jaccard = size(array_intersect(col("a.set"), col("b.set"))).cast("double")
                .divide(size(array_union(col("a.set"), col("b.set"))));
        return a.join(b, col("a.band").equalTo(col("b.band")).and(col("a.key").equalTo(col("b.key"))))
                .select(col("a.id").as("train_id"), col("a.dataset").as("train_dataset"),
                        col("a.question").as("train_question"), col("b.id").as("eval_id"),
                        col("b.dataset").as("eval_dataset"), col("b.split").as("eval_split"),
                        col("b.question").as("eval_question"), jaccard.as("similarity"))
                .dropDuplicates("train_id", "eval_id")
                // Exact Jaccard of the shingle sets (not of their hashes); 1e-12 absorbs rounding of k/n.
                .filter(col("similarity").geq(threshold - 1e-12))
                .persist(StorageLevel.MEMORY_AND_DISK());
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
