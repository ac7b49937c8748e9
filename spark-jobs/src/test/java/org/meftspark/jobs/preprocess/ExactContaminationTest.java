package org.meftspark.jobs.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The contamination check's shingle sets, and its driver-side path for small inputs (issue 20 item 3): every pair. */
class ExactContaminationTest {
    private static final Set<String> STOP = ExactContamination.stopWords();

    @Test
    void questionsBecomeShingleSetsOfTheirContentWords() {
        assertThat(ExactContamination.shingles("Who FOUNDED the Town of Qb?!", 1, STOP))
                .containsExactly("founded", "town", "qb");
        assertThat(ExactContamination.shingles("Who founded the town of Qb?", 2, STOP))
                .containsExactly("founded town", "town qb");
        assertThat(ExactContamination.shingles("the moonlight", 2, STOP))
                .as("fewer words than a shingle: one shingle of them").containsExactly("moonlight");
        assertThat(ExactContamination.shingles("What is the?", 2, STOP))
                .as("only stop words with k > 1: one empty shingle").containsExactly("");
        assertThat(ExactContamination.shingles("What is the?", 1, STOP)).as("nothing to compare").isEmpty();
    }

    @Test
    void everyTrainingEvaluationPairAtTheThresholdIsReportedOnce() {
        List<ExactContamination.Question> qs = List.of(
                q("t1", "train", "which composer wrote the famous moonlight sonata for piano"),
                q("t2", "train", "who founded the town of qb"),
                q("t3", "train", "what is the"),
                q("e1", "test", "which composer wrote the moonlight sonata for the piano"),
                q("e2", "dev", "who founded the town of qc"));
        ExactContamination.Found found = ExactContamination.pairs(qs, 0.7);
        assertThat(found.compared()).as("3 training x 2 evaluation questions with shingles").isEqualTo(2 * 2);
        List<Row> pairs = found.pairs();
        assertThat(pairs).hasSize(1);
        Row r = pairs.get(0);
        assertThat(r.getString(0)).isEqualTo("t1");
        assertThat(r.getString(3)).isEqualTo("e1");
        assertThat(r.getString(5)).isEqualTo("test");
        assertThat(r.getDouble(7)).isEqualTo(5.0 / 6); // composer wrote moonlight sonata piano of 6 words
        assertThat(ExactContamination.pairs(qs, 0.5).pairs()).extracting(p -> p.getString(0) + p.getString(3))
                .containsExactlyInAnyOrder("t1e1", "t2e2"); // founded town of 3 words each: 2/4 = 0.5
    }

    private static ExactContamination.Question q(String id, String split, String text) {
        return new ExactContamination.Question(id, "nq_open", split, text, ExactContamination.shingles(text, 1, STOP));
    }
}
