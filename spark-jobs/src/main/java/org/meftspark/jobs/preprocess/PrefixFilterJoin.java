package org.meftspark.jobs.preprocess;

import static org.apache.spark.sql.functions.array_intersect;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.meftspark.data.Example;
import org.meftspark.data.HashSplit;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Every (training, evaluation) pair of questions whose shingle sets reach a Jaccard threshold t, in Spark, by
 * prefix filtering (Chaudhuri, Ganti and Kaushik 2006; in MapReduce form Vernica, Carey and Li 2010): complete by
 * construction, with no bucket skipped (issue 20 item 3).
 *
 * <p>Order all shingles by how many questions contain them, rarest first (ties by the shingle itself). A set of n
 * shingles has the prefix of its {@code n - ceil(t n) + 1} rarest. If J(A, B) >= t then |A n B| >= t max(|A|, |B|),
 * and two sets sharing that many shingles share one within both prefixes (the shared shingles cannot all sit past
 * either prefix). So joining the questions on their prefix shingles makes every qualifying pair a candidate; the
 * exact Jaccard of the whole sets then decides, and a length filter (t |A| <= |B| <= |A| / t) drops candidates that
 * cannot qualify. Rare shingles make small buckets: on templated questions ("who founded the town of X") the prefix
 * is the entity's own word, whose bucket holds the few questions about X, where MinHash's buckets held a third of
 * all questions and had to be skipped.
 *
 * <p>The work is the candidate pairs, the sum over shingles of training x evaluation questions having it in their
 * prefix; it is reported, with the largest bucket, so a skewed input (many questions made only of common words) is
 * visible in the manifest rather than silently slow.
 */
final class PrefixFilterJoin {
    /** A question's columns, its shingle set and the set's size. */
    private static final StructType QUESTIONS = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("dataset", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, false)
            .add("question", DataTypes.StringType, false)
            .add("train", DataTypes.BooleanType, false)
            .add("set", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("n", DataTypes.IntegerType, false);

    /**
     * The pairs found, persisted (rows of {@link ContaminationCheck#PAIRS}), and the work done.
     *
     * @param comparedPairs      training x evaluation candidates summed over prefix shingles
     * @param largestBucketPairs the candidates of the shingle with the most
     * @param largestBucket      that shingle (empty when there was no candidate)
     */
    record Outcome(Dataset<Row> pairs, long comparedPairs, long largestBucketPairs, String largestBucket) {
    }

    private PrefixFilterJoin() {
    }

    /**
     * The prefix length of a set of n shingles at threshold t: n - ceil(t n) + 1, at most n. The product t n is
     * lowered by 1e-9 first, so floating-point error can only lengthen the prefix (more candidates, never a miss).
     */
    static int prefixLength(int n, double t) {
        return Math.min(n, n - (int) Math.ceil(t * n - 1e-9) + 1);
    }

    static Outcome run(SparkSession spark, JavaRDD<Example> examples, double threshold, int shingleWords) {
        JavaRDD<Row> rows = examples.mapPartitions(it -> questions(it, shingleWords));
        Dataset<Row> q = spark.createDataFrame(rows, QUESTIONS).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // How many questions contain each shingle, then each question's shingles rarest first.
            Dataset<Row> tokens = q.select(col("id"), explode(col("set")).as("w"));
            Dataset<Row> frequency = tokens.groupBy("w").agg(count(lit(1)).as("df"));
            Dataset<Row> ordered = tokens.join(frequency, "w").groupBy("id")
                    .agg(sort_array(collect_list(struct(col("df"), col("w")))).as("ordered"));
            // The same rule as prefixLength, as a column.
            Column prefixLength = least(col("n"), col("n").minus(ceil(col("n").multiply(threshold).minus(1e-9))).plus(1))
                    .cast("int");
            Dataset<Row> prefixed = q.select("id", "train", "set", "n").join(ordered, "id")
                    .select(col("id"), col("train"), col("set"), col("n"),
                            explode(slice(col("ordered"), lit(1), prefixLength)).as("p"))
                    .select(col("id"), col("train"), col("set"), col("n"), col("p.w").as("key"))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                Row work = prefixed.groupBy("key")
                        .agg(sum(when(col("train"), 1L).otherwise(0L)).multiply(sum(when(col("train"), 0L).otherwise(1L)))
                                .as("bucket_pairs"))
                        .agg(coalesce(sum(col("bucket_pairs")), lit(0L)), coalesce(max(col("bucket_pairs")), lit(0L)),
                                coalesce(max_by(col("key"), col("bucket_pairs")), lit("")))
                        .first();
                Dataset<Row> pairs = similar(prefixed, q, threshold).persist(StorageLevel.MEMORY_AND_DISK());
                pairs.count(); // materialised before its inputs are released
                return new Outcome(pairs, work.getLong(0), work.getLong(1), work.getString(2));
            } finally {
                prefixed.unpersist();
            }
        } finally {
            q.unpersist();
        }
    }

    /** Each example's question row; a question without a shingle is left out (nothing to compare). */
    private static Iterator<Row> questions(Iterator<Example> examples, int shingleWords) {
        Set<String> stop = ExactContamination.stopWords();
        List<Row> out = new ArrayList<>();
        while (examples.hasNext()) {
            Example e = examples.next();
            String question = e.fields().get(e.dataset().questionField());
            List<String> set = new ArrayList<>(ExactContamination.shingles(question, shingleWords, stop));
            if (!set.isEmpty()) {
                // an external Row's array is a Scala Seq
                out.add(RowFactory.create(e.id(), e.dataset().key(), e.split(), question,
                        e.split().equals(HashSplit.TRAIN), CollectionConverters.asScala(set), set.size()));
            }
        }
        return out.iterator();
    }

    /** Candidates on equal prefix shingles, length-filtered, verified by exact Jaccard, each pair once, in words. */
    private static Dataset<Row> similar(Dataset<Row> prefixed, Dataset<Row> q, double threshold) {
        Dataset<Row> a = prefixed.filter(col("train"))
                .select(col("key"), col("id").as("a_id"), col("set").as("a_set"), col("n").as("a_n"));
        Dataset<Row> b = prefixed.filter(not(col("train")))
                .select(col("key"), col("id").as("b_id"), col("set").as("b_set"), col("n").as("b_n"));
        // J >= t needs t * max(|A|, |B|) <= min(|A|, |B|); 1e-9 for the same rounding as the prefix.
        Column lengthOk = col("a_n").multiply(threshold).leq(col("b_n").plus(1e-9))
                .and(col("b_n").multiply(threshold).leq(col("a_n").plus(1e-9)));
        Column common = size(array_intersect(col("a_set"), col("b_set")));
        Dataset<Row> found = a.join(b, "key").filter(lengthOk)
                .withColumn("common", common)
                // |A n B| / |A u B| with |A u B| = |A| + |B| - |A n B| (sets), as ExactContamination computes it
                .withColumn("similarity", col("common").cast("double")
                        .divide(col("a_n").plus(col("b_n")).minus(col("common"))))
                .filter(col("similarity").geq(threshold - 1e-12))
                .select("a_id", "b_id", "similarity")
                .dropDuplicates("a_id", "b_id");
        Dataset<Row> train = q.select(col("id").as("a_id"), col("dataset").as("train_dataset"),
                col("question").as("train_question"));
        Dataset<Row> eval = q.select(col("id").as("b_id"), col("dataset").as("eval_dataset"),
                col("split").as("eval_split"), col("question").as("eval_question"));
        return found.join(train, "a_id").join(eval, "b_id")
                .select(col("a_id").as("train_id"), col("train_dataset"), col("train_question"),
                        col("b_id").as("eval_id"), col("eval_dataset"), col("eval_split"), col("eval_question"),
                        col("similarity"));
    }
}
