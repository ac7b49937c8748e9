package org.meftspark.jobs.score;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.meftspark.metrics.QuestionKey;
import scala.Tuple2;

/**
 * Predictions that name their question instead of an id (NQ-open/EfficientQA and GSM8K systems), matched to the
 * references whose question has the same {@link QuestionKey} (issue 18, item 4). A question that matches references
 * of more than one id is ambiguous: listed with the ids it matches, never guessed.
 *
 * @param matched      the predictions given the id of their one matching reference
 * @param unmatched    predictions whose question matches no reference
 * @param ambiguous    predictions whose question matches several, with those ids
 * @param matchedCount how many were matched
 */
record QuestionMatch(JavaRDD<PredictionRecord> matched, JavaRDD<PredictionRecord> unmatched,
                     JavaRDD<Tuple2<PredictionRecord, List<String>>> ambiguous, long matchedCount) {

    static QuestionMatch of(JavaRDD<PredictionRecord> predictions, JavaPairRDD<String, ReferenceRecord> golds,
                            int partitions, List<org.apache.spark.rdd.RDD<?>> persisted) {
        JavaRDD<PredictionRecord> byQuestion = predictions.filter(p -> p.id().isEmpty());
        JavaRDD<Tuple2<PredictionRecord, List<String>>> resolved = byQuestion
                .mapToPair(p -> new Tuple2<>(QuestionKey.of(p.question()), p))
                .leftOuterJoin(golds.values().filter(r -> !QuestionKey.of(r.question()).isEmpty())
                        .mapToPair(r -> new Tuple2<>(QuestionKey.of(r.question()), r.id())).groupByKey(partitions),
                        partitions)
                .map(t -> {
                    TreeSet<String> ids = new TreeSet<>();
                    if (t._2()._2().isPresent()) {
                        t._2()._2().get().forEach(ids::add);
                    }
                    return new Tuple2<>(t._2()._1(), (List<String>) new ArrayList<>(ids));
                });
        resolved.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        persisted.add(resolved.rdd());
        JavaRDD<PredictionRecord> matched = resolved.filter(t -> t._2().size() == 1).map(t -> t._1().withId(t._2().get(0)));
        return new QuestionMatch(matched, resolved.filter(t -> t._2().isEmpty()).map(Tuple2::_1),
                resolved.filter(t -> t._2().size() > 1), resolved.filter(t -> t._2().size() == 1).count());
    }
}
