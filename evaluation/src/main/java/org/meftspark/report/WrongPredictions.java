package org.meftspark.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The seeded sample of wrong predictions an evaluation shows in its report, as JSON
 * ({@code wrong_predictions.json} beside {@code metrics.json}), so that a run's combined report can
 * show every variant's sample, also of evaluations it reuses instead of running again.
 */
public final class WrongPredictions {
    /** The file name in an evaluation's output directory. */
    public static final String FILE = "wrong_predictions.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private WrongPredictions() {
    }

    public static String toJson(List<ReportExample> examples) {
        try {
            return JSON.writeValueAsString(examples) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IllegalArgumentException naming {@code source} when the text is not such a list */
    public static List<ReportExample> fromJson(String text, String source) {
        try {
            return List.copyOf(JSON.readValue(text, new TypeReference<List<ReportExample>>() { }));
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not a list of wrong predictions: " + e.getMessage(), e);
        }
    }
}
