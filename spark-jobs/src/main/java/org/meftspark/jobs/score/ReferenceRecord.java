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
 */
public record ReferenceRecord(String id, String dataset, String split, List<String> references, String source,
                              int copies) implements Serializable {
    /** Copies the references. */
    public ReferenceRecord {
        references = List.copyOf(references);
    }

    /** Of two records with one id, the one whose source sorts first, counting both (defined, order-independent). */
    public static ReferenceRecord first(ReferenceRecord a, ReferenceRecord b) {
        ReferenceRecord keep = a.source.compareTo(b.source) <= 0 ? a : b;
        return new ReferenceRecord(keep.id, keep.dataset, keep.split, keep.references, keep.source,
                a.copies + b.copies);
    }
}
