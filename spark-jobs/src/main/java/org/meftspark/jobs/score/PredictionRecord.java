package org.meftspark.jobs.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.meftspark.jobs.preprocess.Outcome;
import org.meftspark.jobs.preprocess.Reject;

/**
 * One prediction of another system: an id and its answer, where it was read, and what was odd
 * about it.
 *
 * @param id         example id, matched against the references' ids
 * @param prediction the answer text; null when the record had none (scored as empty)
 * @param file       the file it was read from
 * @param position   byte offset of its line (JSONL) or row index (Parquet)
 * @param copies     records with this id that were merged into this one (1 when unique)
 * @param warnings   input warnings as {@code name: detail}
 */
public record PredictionRecord(String id, String prediction, String file, long position, int copies,
                               List<String> warnings) implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the warnings. */
    public PredictionRecord {
        warnings = List.copyOf(warnings);
    }

    /** {@code file:offset} or {@code file#row}, as the report and listings show it. */
    public String source(boolean lines) {
        return file + (lines ? ":" + position : "#" + position);
    }

    /**
     * Of two records with one id, the one read first (by file, then position), counting both: the
     * defined result for duplicate ids, independent of how Spark partitioned the input.
     */
    public static PredictionRecord first(PredictionRecord a, PredictionRecord b) {
        int c = a.file.compareTo(b.file);
        PredictionRecord keep = c < 0 || (c == 0 && a.position <= b.position) ? a : b;
        return new PredictionRecord(keep.id, keep.prediction, keep.file, keep.position, a.copies + b.copies,
                keep.warnings);
    }

    /**
     * Parses one JSON line {@code {"id": ..., "prediction": ...}} ({@code bytes[0, length)}).
     * Defined results for bad input: bytes that are not UTF-8 are decoded with U+FFFD and the record
     * is kept with a {@code non_utf8_line} warning; a line that is not a JSON object or has no
     * usable id is rejected ({@code malformed_line}); a missing or null prediction is kept as null
     * (scored as empty); a list of strings (ToolBench answers) is joined by newlines; any other
     * JSON value is scored as its JSON text.
     *
     * @return null for a blank line (not a record)
     */
    public static Outcome<PredictionRecord> parseJsonLine(byte[] bytes, int length, String file, long offset) {
        List<String> warnings = new ArrayList<>();
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            line = new String(bytes, 0, length, StandardCharsets.UTF_8);
            warnings.add("non_utf8_line: bytes that are not UTF-8 were read as U+FFFD");
        }
        if (line.isBlank()) {
            return null;
        }
        String where = file + ":" + offset;
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (IOException e) {
            return Outcome.rejected(new Reject("malformed_line", "not a JSON object: " + firstLine(e.getMessage())
                    + "; each line must be {\"id\": ..., \"prediction\": ...}", where, "", ""));
        }
        if (o == null || !o.isObject()) {
            return Outcome.rejected(new Reject("malformed_line", "a JSON line of predictions must be an object with "
                    + "id and prediction", where, "", ""));
        }
        JsonNode id = o.get("id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isBlank()) {
            return Outcome.rejected(new Reject("malformed_line", "no usable \"id\" (a non-blank string or an "
                    + "integer) to match the references with", where, "", ""));
        }
        return Outcome.ok(new PredictionRecord(id.asText(), text(o.get("prediction")), file, offset, 1, warnings));
    }

    private static String text(JsonNode p) {
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

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int eol = s.indexOf('\n');
        return eol < 0 ? s : s.substring(0, eol);
    }
}
