package org.meftspark.jobs.score;

import java.io.Serializable;
import java.util.List;

/**
 * The gold side of one example, from shards or a raw dataset file.
 *
 * @param id         example id
 * @param dataset    dataset key
 * @param split      split name
 * @param references gold references
 * @param source     where it was read ({@code file:line}, {@code file#index})
 * @param copies     records with this id merged into this one (1 when unique)
 * @param question   the question text (shown next to the id, matched against id-less predictions)
 * @param noAnswer   an unanswerable SQuAD v2.0 question
 * @param candidates ToolBench's candidate APIs ("tool, api"); empty elsewhere
 */
public record ReferenceRecord(String id, String dataset, String split, List<String> references, String source,
                              int copies, String question, boolean noAnswer, List<String> candidates)
        implements Serializable {
    /** Copies the lists. */
    public ReferenceRecord {
        references = List.copyOf(references);
        candidates = List.copyOf(candidates);
        question = question == null ? "" : question;
    }

    /** What the prediction is scored against. */
    public org.meftspark.metrics.Golds golds() {
        return new org.meftspark.metrics.Golds(references, noAnswer, candidates);
    }

    /** Of two records with one id, the one whose source sorts first, counting both (defined, order-independent). */
    public static ReferenceRecord first(ReferenceRecord a, ReferenceRecord b) {
        ReferenceRecord keep = a.source.compareTo(b.source) <= 0 ? a : b;
        return new ReferenceRecord(keep.id, keep.dataset, keep.split, keep.references, keep.source,
                a.copies + b.copies, keep.question, keep.noAnswer, keep.candidates);
    }
}
