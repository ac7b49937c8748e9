package org.meftspark.metrics;

/**
 * Bad input met while scoring. Each one has a defined result (stated here) and is counted, so a job
 * never crashes on it and the report shows how often it happened.
 */
public enum ScoreWarning {
    /** The prediction was null; scored as the empty string. */
    NULL_PREDICTION("prediction is null; scored as empty"),
    /** The prediction is empty or white space only; scored as it is (usually 0). */
    EMPTY_PREDICTION("prediction is empty; scored as it is"),
    /** No usable reference (null or empty list, or only blank entries); the row gets no metric values. */
    NO_REFERENCES("no usable gold reference; row not scored"),
    /** A null or blank entry in the reference list; ignored, the other golds still count. */
    BLANK_REFERENCE("blank gold reference ignored"),
    /** A gold answer that normalises to nothing (e.g. "the"); kept for EM/F1, ignored by contains. */
    GOLD_NORMALIZES_TO_EMPTY("gold answer normalises to the empty string"),
    /** A non-blank line of a ToolBench prediction that is not a {@code tool, api} pair; ignored. */
    UNPARSABLE_TOOL_LINE("ToolBench prediction line is not a 'tool, api' pair; ignored"),
    /** A ToolBench gold reference that is not a {@code tool, api} pair; ignored. */
    UNPARSABLE_GOLD_PAIR("ToolBench gold reference is not a 'tool, api' pair; ignored"),
    /** A ToolBench prediction with no parsable pair; scored as the empty set (IoU 0). */
    NO_TOOL_PAIRS("ToolBench prediction has no 'tool, api' pair; scored as the empty set"),
    /** A GSM8K prediction without any number; accuracy 0. */
    NO_NUMBER_IN_PREDICTION("GSM8K prediction holds no number; accuracy 0"),
    /** A GSM8K prediction with a number but no {@code "#### N"} line: official accuracy 0, the lenient one may be 1. */
    NO_OFFICIAL_ANSWER_LINE("GSM8K prediction has no '#### N' line; official accuracy 0"),
    /** A GSM8K gold that is not a number; the row gets no metric values. */
    UNPARSABLE_GOLD_NUMBER("GSM8K gold is not a number; row not scored"),
    /** The text holds U+FFFD (a decoding of bytes that were not UTF-8); scored as it is. */
    REPLACEMENT_CHARACTER("text holds U+FFFD (bytes that were not valid UTF-8); scored as it is");

    private final String description;

    ScoreWarning(String description) {
        this.description = description;
    }

    /** What happened and what the scorer did about it. */
    public String description() {
        return description;
    }
}
