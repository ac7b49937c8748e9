package org.meftspark.data;

import java.util.Locale;

/** Why a record (or the rest of an input) was rejected; counted by reason in the manifest. */
public enum RejectReason {
    /** The line or document is not valid JSON. */
    MALFORMED_JSON,
    /** The bytes are not valid UTF-8 (decoded with a reporting decoder, never replaced). */
    INVALID_UTF8,
    /** A JSONL line longer than the configured maximum; skipped without buffering it. */
    LINE_TOO_LONG,
    /** A JSON string value longer than the configured maximum; the rest of the document is unreadable. */
    FIELD_TOO_LONG,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A required field is present but empty or blank. */
    EMPTY_FIELD,
    /** A field has the wrong JSON/Arrow type. */
    WRONG_TYPE,
    /** An Arrow stream that is corrupt or breaks off; the rows before it were read. */
    MALFORMED_ARROW,
    /** A GSM8K answer without a {@code #### N} line whose N is a number (the official extraction's form). */
    BAD_ANSWER_FORMAT,
    /** The input holds no records at all (an empty file). */
    EMPTY_INPUT,
    /** The target does not fit: alone (plus BOS/EOS) it exceeds the maximum sequence length, or it is the
     *  longer part of a sequence that does (targets are never cut). */
    TARGET_TOO_LONG,
    /** The prompt does not fit: it alone is too long, or it is the longer part of a sequence that is (never cut
     *  for NQ-open, GSM8K and ToolBench; for SQuAD, too long even with the whole context cut). */
    PROMPT_TOO_LONG,
    /** SQuAD: no context window that fits {@code max_length} holds the first gold answer whole. */
    ANSWER_OUTSIDE_WINDOW,
    /** A JSON document followed by more data (a second document, or text): the file must hold one document. */
    TRAILING_DATA,
    /** The model's chat template refused the conversation (its raise_exception) or hides the assistant turn. */
    CHAT_TEMPLATE_REFUSED;

    /** The snake_case code used in manifests and reject files. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
