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
 *   <li>SQuAD v1.1: {@code {data: [{paragraphs: [{context, qas: [{id, question, answers}]}]}]}};
 *       one example per question; unknown fields (such as {@code evidences}, {@code version},
 *       {@code title}) are skipped.</li>
 *   <li>ToolBench: a top-level array of query objects.</li>
 * </ul>
 * A record with wrong or missing fields is one {@link Rejection}. A syntax error leaves
 * the rest of the document unreadable (JSON cannot be resynchronised safely), so it ends
 * the stream with one {@link RejectReason#MALFORMED_JSON} rejection naming line and column,
 * after every record before it has been delivered.
 */
public final class JsonDocumentReader implements ReadResults {
    private enum Phase { START, TOP, IN_DATA, IN_ARTICLE, IN_PARAGRAPHS, IN_ARRAY, DONE }

    private final Dataset dataset;
    private final String split;
    private final String name;
    private final InputStream in;
    private final JsonParser parser;
    private final ObjectMapper mapper;
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() { };
    private final ArrayDeque<ReadResult> pending = new ArrayDeque<>();
    private Phase phase = Phase.START;
    private boolean sawData;
    private long index;

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
                case DONE -> { }
            }
        } catch (StreamConstraintsException e) {
            endWith(RejectReason.FIELD_TOO_LONG, "a value exceeds ReaderOptions.maxStringChars (" + e.getOriginalMessage()
                    + "); the rest of the document is not read");
        } catch (JsonProcessingException e) {
            // Jackson signals bad UTF-8 with a plain parse exception; its message is the only
            // way to tell it apart from a JSON syntax error.
            String msg = e.getOriginalMessage();
            RejectReason reason = msg != null && msg.contains("UTF-8") ? RejectReason.INVALID_UTF8 : RejectReason.MALFORMED_JSON;
            endWith(reason, msg + "; the rest of the document is not read");
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
                    ? "a SQuAD file must be a JSON object with a 'data' array, found " + t
                    : "a ToolBench query file must be a JSON array of queries, found " + t);
        }
    }

    private void top() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_OBJECT || t == null) {
            if (!sawData) {
                endWith(RejectReason.MISSING_FIELD, "SQuAD file has no 'data' array");
            } else {
                phase = Phase.DONE;
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
            reject(RejectReason.WRONG_TYPE, "'data' must be an array of articles, found " + t);
            parser.skipChildren();
        } else {
            parser.skipChildren();
        }
    }

    private void inData() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY) {
            phase = Phase.TOP;
        } else if (t == JsonToken.START_OBJECT) {
            phase = Phase.IN_ARTICLE;
        } else {
            reject(RejectReason.WRONG_TYPE, "data[] must hold article objects, found " + t);
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
            reject(RejectReason.WRONG_TYPE, "'paragraphs' must be an array, found " + t);
            parser.skipChildren();
        } else {
            parser.skipChildren();
        }
    }

    /** One paragraph is read as a tree: it is small, and its context may follow its questions. */
    private void inParagraphs() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY) {
            phase = Phase.IN_ARTICLE;
            return;
        }
        long line = parser.currentLocation().getLineNr();
        if (t != JsonToken.START_OBJECT) {
            reject(RejectReason.WRONG_TYPE, "paragraphs[] must hold objects, found " + t);
            parser.skipChildren();
            return;
        }
        Map<String, Object> paragraph = mapper.readValue(parser, ROW);
        Object qas = paragraph.get("qas");
        if (!(qas instanceof List<?> questions)) {
            reject(RejectReason.WRONG_TYPE, "paragraph 'qas' must be an array of questions, found " + qas, line);
            return;
        }
        for (Object qa : questions) {
            SourceLocation where = new SourceLocation(name, line, index++);
            if (!(qa instanceof Map<?, ?> q)) {
                pending.add(new Rejection(RejectReason.WRONG_TYPE, "qas[] must hold objects", where));
                continue;
            }
            // Flatten to the HF squad row layout so JSON, Arrow and Parquet share one mapping.
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", q.get("id"));
            row.put("context", paragraph.get("context"));
            row.put("question", q.get("question"));
            row.put("answers", q.get("answers"));
            pending.add(RowMapping.map(dataset, row, split, where));
        }
    }

    private void inArray() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY) {
            phase = Phase.DONE;
            if (index == 0) {
                pending.add(new Rejection(RejectReason.EMPTY_INPUT, "the query array is empty", new SourceLocation(name, 1, 0)));
            }
            return;
        }
        long line = parser.currentLocation().getLineNr();
        SourceLocation where = new SourceLocation(name, line, index++);
        if (t != JsonToken.START_OBJECT) {
            pending.add(new Rejection(RejectReason.WRONG_TYPE, "queries must be objects, found " + t, where));
            parser.skipChildren();
            return;
        }
        Map<String, Object> row = mapper.readValue(parser, ROW);
        pending.add(RowMapping.map(dataset, row, split, where));
    }

    private void reject(RejectReason reason, String message) {
        reject(reason, message, parser.currentLocation().getLineNr());
    }

    private void reject(RejectReason reason, String message, long line) {
        pending.add(new Rejection(reason, message, new SourceLocation(name, line, index++)));
    }

    private void endWith(RejectReason reason, String message) {
        JsonLocation loc = parser.currentLocation();
        String where = reason == RejectReason.EMPTY_INPUT ? "" : " (column " + loc.getColumnNr() + ")";
        pending.add(new Rejection(reason, message + where, new SourceLocation(name, Math.max(loc.getLineNr(), 0), index++)));
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
