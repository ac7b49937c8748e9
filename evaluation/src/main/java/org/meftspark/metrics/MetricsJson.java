package org.meftspark.metrics;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Reads and writes {@code metrics.json}, the machine-readable twin of the HTML report. Writes are
 * atomic (a temporary file in the same folder, then a rename), so a crash never leaves a truncated
 * file that looks whole.
 */
public final class MetricsJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private MetricsJson() {
    }

    /** The JSON text of a summary. */
    public static String toJson(EvaluationSummary s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code file} atomically, creating its folder. */
    public static void write(Path file, EvaluationSummary s) {
        org.meftspark.io.AtomicFiles.writeString(file, toJson(s), "metrics");
    }

    /** Reads a file written by {@link #write}; refuses another format. */
    public static EvaluationSummary read(Path file) {
        EvaluationSummary s;
        try {
            s = JSON.readValue(file.toFile(), EvaluationSummary.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " as metrics.json: " + e.getMessage(), e);
        }
        if (!EvaluationSummary.FORMAT.equals(s.format())) {
            throw new IllegalArgumentException(file + " has format '" + s.format() + "', expected '"
                    + EvaluationSummary.FORMAT + "'");
        }
        return s;
    }
}
