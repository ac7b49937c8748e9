package org.meftspark.jobs.score;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.meftspark.data.Dataset;
import org.meftspark.data.JsonErrors;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.Reject;

/**
 * One prediction of another system: an id (or, for datasets whose files have none, the question) and its
 * answer, where it was read, and what was odd about it.
 *
 * @param id         example id, matched against the references' ids; empty when the record names its question
 *                   instead (then matched by {@link org.meftspark.metrics.QuestionKey})
 * @param prediction the answer text; null when the record had none (scored as empty)
 * @param file       the file it was read from
 * @param position   1-based line number (JSON lines, the SQuAD prediction dict) or row index (Parquet)
 * @param copies     records with this id that were merged into this one (1 when unique)
 * @param warnings   input warnings as {@code name: detail}
 * @param question   the question the record names; null when it names none
 */
public record PredictionRecord(String id, String prediction, String file, long position, int copies,
                               List<String> warnings, String question) implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the warnings. */
    public PredictionRecord {
        warnings = List.copyOf(warnings);
    }

    /** A record that names its id. */
    public PredictionRecord(String id, String prediction, String file, long position, int copies,
                            List<String> warnings) {
        this(id, prediction, file, position, copies, warnings, null);
    }

    /** {@code file:line} or {@code file#row}, as the report and listings show it. */
    public String source(boolean lines) {
        return file + (lines ? ":" + position : "#" + position);
    }

    /** The same record matched to the reference {@code newId}. */
    public PredictionRecord withId(String newId) {
        return new PredictionRecord(newId, prediction, file, position, copies, warnings, question);
    }

    /**
     * Of two records with one id, the one read first (by file, then position), counting both: the
     * defined result for duplicate ids, independent of how Spark partitioned the input.
     */
    public static PredictionRecord first(PredictionRecord a, PredictionRecord b) {
        int c = a.file.compareTo(b.file);
        PredictionRecord keep = c < 0 || (c == 0 && a.position <= b.position) ? a : b;
        return new PredictionRecord(keep.id, keep.prediction, keep.file, keep.position, a.copies + b.copies,
                keep.warnings, keep.question);
    }

    /**
     * The project's id for an id as other systems write it: one that starts with a dataset key and ':' is
     * kept; any other is a raw SQuAD question id (the official SQuAD prediction file's keys,
     * {@code 56be4db0acb8001400a502ec}), the only dataset whose published files carry ids the project keeps
     * as they are ({@code squad:<id>}).
     */
    public static String projectId(String id) {
        for (Dataset d : Dataset.values()) {
            if (id.startsWith(d.key() + ":")) {
                return id;
            }
        }
        return Dataset.SQUAD.key() + ":" + id;
    }

    /**
     * Parses one JSON line {@code {"id": ..., "prediction": ...}} or {@code {"question": ..., "prediction": ...}}
     * ({@code bytes[0, length)}). Defined results for bad input: bytes that are not UTF-8 are decoded with
     * U+FFFD and the record is kept with a {@code non_utf8_line} warning; a line that is not a JSON object or has
     * neither a usable id nor a question is rejected ({@code malformed_line}); a missing or null prediction is
     * kept as null (scored as empty); a list of strings (ToolBench answers) is joined by newlines; any other JSON
     * value is scored as its JSON text. An id wins over a question when a line has both.
     *
     * @param line the line's 1-based number in its file
     * @return null for a blank line (not a record)
     */
    public static Outcome<PredictionRecord> parseJsonLine(byte[] bytes, int length, String file, long line) {
        List<String> warnings = new ArrayList<>();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            text = new String(bytes, 0, length, StandardCharsets.UTF_8);
            warnings.add("non_utf8_line: bytes that are not UTF-8 were read as U+FFFD");
        }
        if (text.isBlank()) {
            return null;
        }
        String where = file + ":" + line;
        JsonNode o;
        try {
            o = JSON.readTree(text);
        } catch (JacksonException e) {
            return Outcome.rejected(new Reject("malformed_line", "not a JSON object (" + JsonErrors.describe(e)
                    + "); each line must be {\"id\": ..., \"prediction\": ...} or {\"question\": ..., \"prediction\": ...}",
                    where, "", ""));
        }
        if (o == null || !o.isObject()) {
            return Outcome.rejected(new Reject("malformed_line", "a JSON line of predictions must be an object with "
                    + "id (or question) and prediction", where, "", ""));
        }
        JsonNode id = o.get("id");
        boolean usableId = id != null && (id.isTextual() || id.isIntegralNumber()) && !id.asText().isBlank();
        JsonNode question = o.get("question");
        boolean usableQuestion = question != null && question.isTextual() && !question.asText().isBlank();
        if (!usableId && !usableQuestion) {
            return Outcome.rejected(new Reject("malformed_line", "no usable \"id\" (a non-blank string or an "
                    + "integer) nor \"question\" (a non-blank string) to match the references with", where, "", ""));
        }
        return Outcome.ok(new PredictionRecord(usableId ? projectId(id.asText().strip()) : "", text(o.get("prediction")),
                file, line, 1, warnings, usableQuestion ? question.asText() : null));
    }

    /** A prediction value as scored text. */
    static String text(JsonNode p) {
        if (p == null || p.isNull()) {
            return null;
        }
        if (p.isTextual()) {
            return p.asText();
        }
        if (p.isArray()) {
            List<String> parts = new ArrayList<>();
            p.forEach(x -> parts.add(x.isTextual() ? x.asText() : x.toString()));
            return String.join("\n", parts);
        }
        return p.toString();
    }
}
