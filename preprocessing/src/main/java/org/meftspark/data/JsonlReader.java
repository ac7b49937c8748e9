package org.meftspark.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Streams a JSON Lines file (NQ-open, GSM8K): one JSON object per line, mapped with
 * {@link RowMapping}. Each bad line is one {@link Rejection} at its line number; the
 * lines around it are read normally. Blank lines are skipped (a trailing newline is
 * not a record); a file with no records yields one {@link RejectReason#EMPTY_INPUT}.
 */
public final class JsonlReader implements ReadResults {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Dataset dataset;
    private final String split;
    private final String name;
    private final InputStream in;
    private final BoundedLineReader lines;
    private long records;
    private ReadResult next;
    private boolean done;

    /**
     * @param dataset which mapping to apply
     * @param split   split name stamped on every example
     * @param in      the file's bytes; closed by {@link #close()}
     * @param name    the file's name for locations and messages
     * @param options line-length limit
     */
    public JsonlReader(Dataset dataset, String split, InputStream in, String name, ReaderOptions options) {
        this.dataset = dataset;
        this.split = split;
        this.name = name;
        this.in = in;
        this.lines = new BoundedLineReader(in, options.maxLineBytes());
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            next = advance();
            done = next == null;
        }
        return next != null;
    }

    @Override
    public ReadResult next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ReadResult r = next;
        next = null;
        return r;
    }

    private ReadResult advance() {
        try {
            while (true) {
                BoundedLineReader.Line line = lines.next();
                if (line == null) {
                    if (records == 0) {
                        records++;
                        return new Rejection(RejectReason.EMPTY_INPUT, "file holds no JSON lines", new SourceLocation(name, 0, 0));
                    }
                    return null;
                }
                if (line.text() != null && line.text().isBlank()) {
                    continue;
                }
                SourceLocation where = new SourceLocation(name, line.number(), records++);
                if (line.problem() == RejectReason.LINE_TOO_LONG) {
                    return new Rejection(RejectReason.LINE_TOO_LONG, "line of " + line.byteLength()
                            + " bytes exceeds the limit (ReaderOptions.maxLineBytes); split the record or raise the limit", where);
                }
                if (line.problem() == RejectReason.INVALID_UTF8) {
                    return new Rejection(RejectReason.INVALID_UTF8, "line is not valid UTF-8; re-encode the file as UTF-8", where);
                }
                Object parsed;
                try {
                    parsed = JSON.readValue(line.text(), Object.class);
                } catch (JacksonException e) {
                    return new Rejection(RejectReason.MALFORMED_JSON, "not valid JSON: " + JsonErrors.describe(e), where);
                }
                if (!(parsed instanceof Map<?, ?> row)) {
                    return new Rejection(RejectReason.WRONG_TYPE, "line is JSON but not an object", where);
                }
                @SuppressWarnings("unchecked")
                Map<String, ?> typed = (Map<String, ?>) row;
                return RowMapping.map(dataset, typed, split, where);
            }
        } catch (IOException e) {
            throw new UnusableInputException("I/O error reading " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + name, e);
        }
    }
}
