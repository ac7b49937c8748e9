package org.meftspark.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import com.fasterxml.jackson.core.type.TypeReference;

/**
 * Streams one large JSON document with Jackson's streaming parser, so memory is bounded
 * by one record (a SQuAD paragraph with its questions, a ToolBench query) and never by
 * the file: a 5 GB SQuAD-style file needs no 5 GB heap.
 *
 * <ul>
 *   <li>SQuAD v1.1 and v2.0: {@code {version?, data: [{paragraphs: [{context, qas: [{id, question,
 *       answers, is_impossible?}]}]}]}}; one example per question. v2.0 is told by the file itself
 *       (its {@code is_impossible} flags), whatever the file is called: an unanswerable question
 *       becomes a no-answer example ({@link Example#noAnswer()}), not a reject. Unknown fields (such
 *       as {@code evidences}, {@code title}, {@code plausible_answers}) are skipped.</li>
 *   <li>ToolBench: a top-level array of query objects.</li>
 * </ul>
 * Every example and rejection carries its own line and its JSON path
 * ({@code data[3].paragraphs[1].qas[0]}, {@code [12]}), so a record of a file written on one line
 * can still be found. A record with wrong or missing fields is one {@link Rejection}. A syntax
 * error leaves the rest of the document unreadable (JSON cannot be resynchronised safely), so it
 * ends the stream with one {@link RejectReason#MALFORMED_JSON} rejection naming line and column,
 * after every record before it has been delivered; so does data after the document's end
 * ({@link RejectReason#TRAILING_DATA}), and a document without a single record gives one
 * {@link RejectReason#EMPTY_INPUT}.
 */
public final class JsonDocumentReader implements ReadResults {
    private enum Phase { START, TOP, IN_DATA, IN_ARTICLE, IN_PARAGRAPHS, IN_ARRAY, END, DONE }

    private final Dataset dataset;
    private final String split;
    private final String name;
    private final InputStream in;
    private final JsonParser parser;
    private final ObjectMapper mapper;
    private final int maxStringChars;
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() { };
    private final ArrayDeque<ReadResult> pending = new ArrayDeque<>();
    private Phase phase = Phase.START;
    private boolean sawData;
    private long index;
    /** Positions in data[], paragraphs[] (reset per article) and in the ToolBench array, for JSON paths. */
    private int article = -1;
    private int paragraphIndex = -1;

    /**
     * @param dataset {@link Dataset#SQUAD} or {@link Dataset#TOOLBENCH}
     * @param split   split name stamped on every example
     * @param in      the document's bytes (UTF-8); closed by {@link #close()}
     * @param name    the file's name for locations and messages
     * @param options the longest string value accepted
     */
    public JsonDocumentReader(Dataset dataset, String split, InputStream in, String name, ReaderOptions options) {
        if (dataset != Dataset.SQUAD && dataset != Dataset.TOOLBENCH) {
            throw new IllegalArgumentException(dataset + " is published as JSON Lines, not one JSON document");
        }
        this.dataset = dataset;
        this.split = split;
        this.name = name;
        this.in = in;
        this.maxStringChars = options.maxStringChars();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(options.maxStringChars()).build())
                .build();
        this.mapper = new ObjectMapper(factory);
        try {
            this.parser = factory.createParser(in);
        } catch (IOException e) {
            throw new UnusableInputException("cannot open " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean hasNext() {
        while (pending.isEmpty() && phase != Phase.DONE) {
            step();
        }
        return !pending.isEmpty();
    }

    @Override
    public ReadResult next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return pending.poll();
    }

    /** Advances the parser by one token or one record, adding any results to {@code pending}. */
    private void step() {
        try {
            switch (phase) {
                case START -> start();
                case TOP -> top();
                case IN_DATA -> inData();
                case IN_ARTICLE -> inArticle();
                case IN_PARAGRAPHS -> inParagraphs();
                case IN_ARRAY -> inArray();
                case END -> end();
                case DONE -> { }
            }
        } catch (StreamConstraintsException e) {
            endWith(RejectReason.FIELD_TOO_LONG, "a string value is longer than the limit of " + maxStringChars
                    + " characters (ReaderOptions.maxStringChars); the rest of the document is not read");
        } catch (JsonProcessingException e) {
            // Jackson signals bad UTF-8 with a plain parse exception; its message is the only
            // way to tell it apart from a JSON syntax error.
            String msg = e.getOriginalMessage();
            boolean utf8 = msg != null && msg.contains("UTF-8");
            endWith(utf8 ? RejectReason.INVALID_UTF8 : RejectReason.MALFORMED_JSON, (utf8
                    ? "the bytes are not valid UTF-8; re-encode the file as UTF-8"
                    : "not valid JSON: " + JsonErrors.describe(e)) + "; the rest of the document is not read");
        } catch (IOException e) {
            throw new UnusableInputException("I/O error reading " + name + ": " + e.getMessage(), e);
        }
    }

    private void start() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == null) {
            endWith(RejectReason.EMPTY_INPUT, "file holds no JSON document");
        } else if (dataset == Dataset.SQUAD && t == JsonToken.START_OBJECT) {
            phase = Phase.TOP;
        } else if (dataset == Dataset.TOOLBENCH && t == JsonToken.START_ARRAY) {
            phase = Phase.IN_ARRAY;
        } else {
            endWith(RejectReason.WRONG_TYPE, dataset == Dataset.SQUAD
                    ? "a SQuAD file must be a JSON object with a 'data' array, found " + token(t)
                    : "a ToolBench query file must be a JSON array of queries, found " + token(t));
        }
    }

    private void top() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_OBJECT || t == null) {
            if (!sawData) {
                endWith(RejectReason.MISSING_FIELD, "SQuAD file has no 'data' array");
            } else if (index == 0) {
                endWith(RejectReason.EMPTY_INPUT, "the SQuAD file holds no questions ('data' has no article with "
                        + "a question)");
            } else {
                phase = Phase.END;
            }
            return;
        }
        String field = parser.currentName();
        t = parser.nextToken();
        if ("data".equals(field) && t == JsonToken.START_ARRAY) {
            sawData = true;
            phase = Phase.IN_DATA;
        } else if ("data".equals(field)) {
            sawData = true;
            reject(RejectReason.WRONG_TYPE, "'data' must be an array of articles, found " + token(t), "data");
            parser.skipChildren();
        } else {
            parser.skipChildren();
        }
    }

    private void inData() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY) {
            phase = Phase.TOP;
            return;
        }
        article++;
        paragraphIndex = -1;
        if (t == JsonToken.START_OBJECT) {
            phase = Phase.IN_ARTICLE;
        } else {
            reject(RejectReason.WRONG_TYPE, "data[] must hold article objects, found " + token(t), "data[" + article + "]");
            parser.skipChildren();
        }
    }

    private void inArticle() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_OBJECT) {
            phase = Phase.IN_DATA;
            return;
        }
        String field = parser.currentName();
        t = parser.nextToken();
        if ("paragraphs".equals(field) && t == JsonToken.START_ARRAY) {
            phase = Phase.IN_PARAGRAPHS;
        } else if ("paragraphs".equals(field)) {
            reject(RejectReason.WRONG_TYPE, "'paragraphs' must be an array, found " + token(t),
                    "data[" + article + "].paragraphs");
            parser.skipChildren();
        } else {
            parser.skipChildren();
        }
    }

    /**
     * One paragraph at a time, field by field: its questions are held (as small trees, each with its own
     * line) until the paragraph ends, because its context may follow them.
     */
    private void inParagraphs() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY) {
            phase = Phase.IN_ARTICLE;
            return;
        }
        paragraphIndex++;
        String at = "data[" + article + "].paragraphs[" + paragraphIndex + "]";
        long line = parser.currentTokenLocation().getLineNr();
        if (t != JsonToken.START_OBJECT) {
            reject(RejectReason.WRONG_TYPE, "paragraphs[] must hold objects, found " + token(t), at);
            parser.skipChildren();
            return;
        }
        Object context = null;
        Object qas = null;
        List<Object[]> questions = new ArrayList<>(); // {question tree, line}
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken v = parser.nextToken();
            if ("qas".equals(field) && v == JsonToken.START_ARRAY) {
                qas = questions;
                while ((v = parser.nextToken()) != JsonToken.END_ARRAY) {
                    long qLine = parser.currentTokenLocation().getLineNr();
                    questions.add(new Object[] {v == JsonToken.START_OBJECT ? mapper.readValue(parser, ROW) : token(v),
                            qLine});
                    if (v != JsonToken.START_OBJECT) {
                        parser.skipChildren();
                    }
                }
            } else if ("context".equals(field) || "qas".equals(field)) {
                Object value = mapper.readValue(parser, Object.class);
                if ("context".equals(field)) {
                    context = value;
                } else {
                    qas = value == null ? null : token(v);
                }
            } else {
                parser.skipChildren();
            }
        }
        if (qas != questions) {
            reject(RejectReason.WRONG_TYPE, "paragraph 'qas' must be an array of questions, found "
                    + (qas == null ? "none" : qas), line, at);
            return;
        }
        for (int q = 0; q < questions.size(); q++) {
            SourceLocation where = new SourceLocation(name, (Long) questions.get(q)[1], index++, at + ".qas[" + q + "]");
            if (!(questions.get(q)[0] instanceof Map<?, ?> question)) {
                pending.add(new Rejection(RejectReason.WRONG_TYPE, "qas[] must hold objects, found "
                        + questions.get(q)[0], where));
                continue;
            }
            // Flatten to the HF squad row layout so JSON, Arrow and Parquet share one mapping.
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", question.get("id"));
            row.put("context", context);
            row.put("question", question.get("question"));
            row.put("answers", question.get("answers"));
            if (question.containsKey("is_impossible")) {
                row.put("is_impossible", question.get("is_impossible"));
            }
            pending.add(RowMapping.map(dataset, row, split, where));
        }
    }

    private void inArray() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY) {
            if (index == 0) {
                endWith(RejectReason.EMPTY_INPUT, "the query array is empty");
            } else {
                phase = Phase.END;
            }
            return;
        }
        long line = parser.currentTokenLocation().getLineNr();
        SourceLocation where = new SourceLocation(name, line, index, "[" + index + "]");
        index++;
        if (t != JsonToken.START_OBJECT) {
            pending.add(new Rejection(RejectReason.WRONG_TYPE, "queries must be objects, found " + token(t), where));
            parser.skipChildren();
            return;
        }
        Map<String, Object> row = mapper.readValue(parser, ROW);
        pending.add(RowMapping.map(dataset, row, split, where));
    }

    /** After the document: anything but the end of the input is rejected, never silently ignored. */
    private void end() throws IOException {
        JsonLocation before = parser.currentLocation();
        JsonToken t = parser.nextToken();
        if (t == null) {
            phase = Phase.DONE;
            return;
        }
        endWith(RejectReason.TRAILING_DATA, "more data after the end of the JSON document (which ended at line "
                + before.getLineNr() + "): a " + dataset.key() + " file must hold exactly one document; the records "
                + "of the first were read, the rest is not");
    }

    /** A token in words (Jackson's names such as START_ARRAY mean nothing to a user). */
    private static String token(JsonToken t) {
        if (t == null) {
            return "the end of the file";
        }
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name().toLowerCase(java.util.Locale.ROOT) : "'" + t.asString() + "'";
        };
    }

    private void reject(RejectReason reason, String message, String path) {
        reject(reason, message, parser.currentTokenLocation().getLineNr(), path);
    }

    private void reject(RejectReason reason, String message, long line, String path) {
        pending.add(new Rejection(reason, message, new SourceLocation(name, line, index++, path)));
    }

    private void endWith(RejectReason reason, String message) {
        JsonLocation loc = parser.currentLocation();
        String where = reason == RejectReason.EMPTY_INPUT ? "" : " (column " + loc.getColumnNr() + ")";
        pending.add(new Rejection(reason, message + where, new SourceLocation(name, Math.max(loc.getLineNr(), 1), index++)));
        phase = Phase.DONE;
    }

    @Override
    public void close() {
        try {
            parser.close();
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + name, e);
        }
    }
}
