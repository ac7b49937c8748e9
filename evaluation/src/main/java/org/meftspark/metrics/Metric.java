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
    /**
     * GSM8K, the official accuracy of the GSM8K authors' code ({@code grade_school_math/dataset.py}): the number
     * after the first {@code "#### "} (commas removed) equals the reference as a string.
     */
    ACCURACY("accuracy"),
    /**
     * GSM8K, this project's looser reading ({@link FinalNumber}): the last {@code ####}, else "the answer is",
     * else the last number, compared as numbers ({@code 20.0 == 20}, {@code $15}, {@code ####109}).
     */
    ACCURACY_LENIENT("accuracy_lenient"),
    /** SQuAD v2.0, {@code HasAns_exact} of {@code evaluate-v2.0.py}: EM over the answerable questions. */
    HAS_ANS_EM("HasAns_em"),
    /** SQuAD v2.0, {@code HasAns_f1}: F1 over the answerable questions. */
    HAS_ANS_F1("HasAns_f1"),
    /** SQuAD v2.0, {@code NoAns_exact}: EM over the unanswerable questions (1 when the answer is empty). */
    NO_ANS_EM("NoAns_em"),
    /** SQuAD v2.0, {@code NoAns_f1}: F1 over the unanswerable questions (equal to NoAns_em by the v2.0 rule). */
    NO_ANS_F1("NoAns_f1");

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
            case NQ_OPEN -> List.of(EM, F1, CONTAINS);
            case SQUAD -> List.of(EM, F1, CONTAINS, HAS_ANS_EM, HAS_ANS_F1, NO_ANS_EM, NO_ANS_F1);
            case TOOLBENCH -> List.of(IOU, PRECISION, RECALL);
            case GSM8K -> List.of(ACCURACY, ACCURACY_LENIENT);
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
