package org.meftspark.data;

import java.util.List;
import java.util.Locale;

/**
 * The four task datasets (meft-method.md section 7), with the prompt fields each
 * one's template may use and the field that truncation may shorten.
 */
public enum Dataset {
    /** Natural Questions, open-domain: question -> short answer. */
    NQ_OPEN("nq_open", List.of("question"), "question", "question"),
    /** SQuAD v1.1: context + question -> answer span; truncation cuts the context only. */
    SQUAD("squad", List.of("context", "question"), "context", "question"),
    /** ToolBench relevant-API selection: query + candidate APIs -> the relevant APIs. */
    TOOLBENCH("toolbench", List.of("query", "candidates"), "candidates", "query"),
    /** GSM8K: question -> worked solution ending {@code #### N}. */
    GSM8K("gsm8k", List.of("question"), "question", "question");

    private final String key;
    private final List<String> promptFields;
    private final String truncatableField;
    private final String questionField;

    Dataset(String key, List<String> promptFields, String truncatableField, String questionField) {
        this.key = key;
        this.promptFields = promptFields;
        this.truncatableField = truncatableField;
        this.questionField = questionField;
    }

    /** The lower-case name used in configs, shard columns, ids and template file names. */
    public String key() {
        return key;
    }

    /** The placeholders a prompt template of this dataset may use (and all of them must be filled). */
    public List<String> promptFields() {
        return promptFields;
    }

    /**
     * The prompt field whose tokens truncation removes when a sequence is too long:
     * the long, expendable part (SQuAD's context, ToolBench's candidate list), never
     * the instruction text of the template. Only {@link #cutsPrompt()} datasets are cut.
     */
    public String truncatableField() {
        return truncatableField;
    }

    /**
     * Whether a too long prompt may be cut (issue 18, item 2). Only SQuAD's: its context is a passage of
     * which a window around the answer still holds the answer. A GSM8K or NQ-open question cut to a fragment
     * ("Question:  average?") and a ToolBench query missing some of its candidate APIs are different,
     * wrong examples, so those are rejected instead, naming the part that is too long.
     */
    public boolean cutsPrompt() {
        return this == SQUAD;
    }

    /**
     * The prompt field that holds what the user asks (SQuAD's question, not its context;
     * ToolBench's query, not its candidate list): the text compared between training and
     * evaluation examples by the contamination check.
     */
    public String questionField() {
        return questionField;
    }

    /** Parses a dataset key such as {@code nq_open} (case-insensitive; '-' accepted for '_'). */
    public static Dataset fromKey(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Dataset d : values()) {
            if (d.key.equals(k)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + key + "'; expected one of nq_open, squad, toolbench, gsm8k");
    }
}
