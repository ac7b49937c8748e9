package org.meftspark.jobs.results;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.meftspark.metrics.Metric;

/**
 * The Parquet layout of per-example results, shared by EvaluateJob and ScoreJob so their outputs can
 * be read (and unioned) the same way: id, question, dataset, split, prompt, prediction, references, one
 * nullable double column per {@link Metric} (null when the metric does not apply to the row's
 * dataset or the row had no usable reference), warnings, and generation lengths.
 */
public final class ResultTable {
    private ResultTable() {
    }

    /** The schema; metric columns are named by {@link Metric#key()}. */
    public static StructType schema() {
        StructType s = new StructType()
                .add("id", DataTypes.StringType, false)
                .add("question", DataTypes.StringType, false)
                .add("dataset", DataTypes.StringType, false)
                .add("split", DataTypes.StringType, true)
                .add("prompt", DataTypes.StringType, true)
                .add("prediction", DataTypes.StringType, true)
                .add("references", DataTypes.createArrayType(DataTypes.StringType, false), false);
        for (Metric m : Metric.values()) {
            s = s.add(m.key(), DataTypes.DoubleType, true);
        }
        return s.add("warnings", DataTypes.createArrayType(DataTypes.StringType, false), false)
                .add("prompt_tokens", DataTypes.IntegerType, true)
                .add("generated_tokens", DataTypes.IntegerType, true)
                .add("source", DataTypes.StringType, true);
    }

    /** One result as a row of {@link #schema()}. */
    public static Row toRow(EvalRow r) {
        List<Object> v = new ArrayList<>();
        v.add(r.id());
        v.add(r.question());
        v.add(r.dataset());
        v.add(r.split());
        v.add(r.prompt());
        v.add(r.prediction());
        v.add(seq(r.references()));
        for (Metric m : Metric.values()) {
            v.add(r.score() == null || r.score().get(m).isEmpty() ? null : r.score().get(m).getAsDouble());
        }
        v.add(seq(r.warnings()));
        v.add(r.promptTokens());
        v.add(r.generatedTokens());
        v.add(r.source());
        return RowFactory.create(v.toArray());
    }

    /** Rows built by hand (not by an encoder) need Scala sequences for array columns. */
    private static scala.collection.immutable.Seq<String> seq(List<String> l) {
        return scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq();
    }
}
