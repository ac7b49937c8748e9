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
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
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
 * prefix filtering (Chaudhuri, Ganti and Kaushik 2006; the size-dependent prefixes of Bayardo, Ma and Srikant's
 * All-Pairs, 2007; in MapReduce form Vernica, Carey and Li 2010): complete by construction, with no bucket skipped
 * (issue 20 item 3).
 *
 * <p>Order all shingles by how many questions contain them, rarest first (ties by the shingle itself). Lemma: if
 * |A n B| = o, the first |A| - o + 1 shingles of A and the first |B| - o + 1 of B share one (the rarest common
 * shingle has at least o - 1 common ones after it in each set). J(A, B) >= t means o >= t (|A| + |B|) / (1 + t). For
 * |A| <= |B| that gives o >= 2t/(1+t) |A| and, as |A| >= t |B| then, o >= t |B|. So the smaller set needs only its
 * first {@code n - ceil(2t/(1+t) n) + 1} shingles (its short prefix) and the larger its first
 * {@code n - ceil(t n) + 1} (its long prefix): each question is joined on both, as the smaller of a pair and as the
 * larger, and every qualifying pair meets on at least one shingle. The exact Jaccard of the whole sets then decides.
 *
 * <p>Rare shingles make small buckets: on templated questions ("who founded the town of X") a short prefix is the
 * entity's own word, whose bucket holds the few questions about X, where MinHash's buckets held a third of all
 * questions and had to be skipped. A template word common on one side only ("the town of X dates from what year?"
 * in every held-out paraphrase) reaches only long prefixes, so it pairs with the few short prefixes that hold it.
 * The work, the candidate pairs summed over shingles, is reported with the largest bucket, so a skewed input is
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

    static Outcome run(SparkSession spark, JavaRDD<Example> examples, double threshold, int shingleWords) {
        JavaRDD<Row> rows = examples.mapPartitions(it -> questions(it, shingleWords));
        Dataset<Row> q = spark.createDataFrame(rows, QUESTIONS).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // How many questions contain each shingle, then each question's shingles rarest first (its set, in the
            // global order: the array of structs' w fields).
            Dataset<Row> tokens = q.select(col("id"), col("train"), col("n"), explode(col("set")).as("w"));
            Dataset<Row> frequency = tokens.groupBy("w").agg(count(lit(1)).as("df"));
            Dataset<Row> questions = tokens.join(frequency, "w").groupBy("id", "train", "n")
                    .agg(sort_array(collect_list(struct(col("df"), col("w")))).as("ordered"))
                    .withColumn("set", col("ordered").getField("w"));
            // Each question twice: as the smaller of a pair with its short prefix, as the larger with its long one.
            Dataset<Row> prefixed = prefixes(questions, true, 2 * threshold / (1 + threshold))
                    .union(prefixes(questions, false, threshold))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                Column trainSmall = col("train").and(col("small")), trainLarge = col("train").and(not(col("small")));
                Column evalSmall = not(col("train")).and(col("small")), evalLarge = not(col("train")).and(not(col("small")));
                Row work = prefixed.groupBy("key")
                        .agg(ones(trainSmall).multiply(ones(evalLarge)).plus(ones(trainLarge).multiply(ones(evalSmall)))
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

    /**
     * Each example's question row, one at a time (a partition is never held in memory); a question without a shingle
     * is left out (nothing to compare).
     */
    private static Iterator<Row> questions(Iterator<Example> examples, int shingleWords) {
        Set<String> stop = ExactContamination.stopWords();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(examples, Spliterator.ORDERED), false)
                .map(e -> {
                    String question = e.fields().get(e.dataset().questionField());
                    List<String> set = new ArrayList<>(ExactContamination.shingles(question, shingleWords, stop));
                    // an external Row's array is a Scala Seq
                    return set.isEmpty() ? null : RowFactory.create(e.id(), e.dataset().key(), e.split(), question,
                            e.split().equals(HashSplit.TRAIN), CollectionConverters.asScala(set), set.size());
                })
                .filter(java.util.Objects::nonNull)
                .iterator();
    }

    /** How many rows of a group satisfy {@code condition}. */
    private static Column ones(Column condition) {
        return sum(when(condition, 1L).otherwise(0L));
    }

    /**
     * One row per prefix shingle of each question, marked small or large: its {@code n - ceil(factor n) + 1} rarest
     * (at most n), factor t for the long prefix and 2t/(1+t) for the short one. The product is lowered by 1e-9
     * first, so floating-point error can only lengthen a prefix (more candidates, never a miss).
     */
    private static Dataset<Row> prefixes(Dataset<Row> questions, boolean small, double factor) {
        Column length = least(col("n"), col("n").minus(ceil(col("n").multiply(factor).minus(1e-9))).plus(1)).cast("int");
        return questions.select(col("id"), col("train"), col("set"), col("n"), lit(small).as("small"),
                        explode(slice(col("ordered"), lit(1), length)).as("p"))
                .select(col("id"), col("train"), col("set"), col("n"), col("small"), col("p.w").as("key"));
    }

    /**
     * Candidates on equal prefix shingles (the smaller set's short prefix, the larger's long one), length-filtered,
     * verified by exact Jaccard, each pair once, in words.
     */
    private static Dataset<Row> similar(Dataset<Row> prefixed, Dataset<Row> q, double threshold) {
        Dataset<Row> a = prefixed.filter(col("train"))
                .select(col("key"), col("small").as("a_small"), col("id").as("a_id"), col("set").as("a_set"),
                        col("n").as("a_n"));
        Dataset<Row> b = prefixed.filter(not(col("train")))
                .select(col("key"), col("small").as("b_small"), col("id").as("b_id"), col("set").as("b_set"),
                        col("n").as("b_n"));
        // Who is the smaller: the training question when sizes are equal, so each pair is met in one role only.
        Column roles = col("a_small").and(not(col("b_small"))).and(col("a_n").leq(col("b_n")))
                .or(not(col("a_small")).and(col("b_small")).and(col("a_n").gt(col("b_n"))));
        // J >= t needs t * max(|A|, |B|) <= min(|A|, |B|); 1e-9 for the same rounding as the prefixes.
        Column lengthOk = col("a_n").multiply(threshold).leq(col("b_n").plus(1e-9))
                .and(col("b_n").multiply(threshold).leq(col("a_n").plus(1e-9)));
        Column common = size(array_intersect(col("a_set"), col("b_set")));
        Dataset<Row> found = a.join(b, "key").filter(roles.and(lengthOk))
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
