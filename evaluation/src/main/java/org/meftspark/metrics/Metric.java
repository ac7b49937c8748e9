package org.meftspark.metrics;

import java.util.List;
import org.meftspark.data.Dataset;

/**
 * The metrics reported per dataset (meft-method.md section 7), by the names used in Parquet columns,
 * {@code metrics.json} and the report.
 */
public enum Metric {
    /** Exact match after answer normalisation, max over golds (NQ-open: NFD first). */
    EM("em"),
    /** SQuAD token F1, max over golds. */
    F1("f1"),
    /** A gold answer occurs (as whole normalised tokens) in the output; the reference code's looser score. */
    CONTAINS("contains"),
    /** ToolBench: |P ∩ G| / |P ∪ G| of (tool, api) pairs. */
    IOU("iou"),
    /** ToolBench: |P ∩ G| / |P|. */
    PRECISION("precision"),
    /** ToolBench: |P ∩ G| / |G|. */
    RECALL("recall"),
    /** GSM8K: the final number equals the gold number. */
    ACCURACY("accuracy");

    private final String key;

    Metric(String key) {
        this.key = key;
    }

    /** Lower-case name in outputs. */
    public String key() {
        return key;
    }

    /** The metrics a dataset reports, in report order; the first is its headline metric. */
    public static List<Metric> of(Dataset d) {
        return switch (d) {
            case NQ_OPEN, SQUAD -> List.of(EM, F1, CONTAINS);
            case TOOLBENCH -> List.of(IOU, PRECISION, RECALL);
            case GSM8K -> List.of(ACCURACY);
        };
    }

    /** The headline metric of a dataset: a row is "wrong" when it scores below 1 on it. */
    public static Metric primary(Dataset d) {
        return of(d).get(0);
    }

    /** Parses a key such as {@code em}. */
    public static Metric fromKey(String key) {
        for (Metric m : values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + key + "'");
    }
}
