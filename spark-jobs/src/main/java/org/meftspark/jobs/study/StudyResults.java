package org.meftspark.jobs.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.meftspark.report.Series;

/**
 * Reads a study's {@code results.jsonl} back (notebooks/study-results.ipynb) and groups one
 * quantity into a series per method.
 */
public final class StudyResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StudyResults() {
    }

    /** Every row of a study's results.jsonl, in file order; a damaged line names its number. */
    public static List<StudyRow> read(Path resultsJsonl) {
        List<StudyRow> rows = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(resultsJsonl);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read study results " + resultsJsonl + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                rows.add(JSON.readValue(lines.get(i), StudyRow.class));
            } catch (IOException e) {
                throw new IllegalArgumentException(resultsJsonl + ": line " + (i + 1) + " is not a study result: "
                        + e.getMessage(), e);
            }
        }
        return rows;
    }

    /**
     * One series per method of one quantity against x (the fact count, or the device bytes):
     * methods that did not fit and values not measured (NaN) are left out, not drawn as zero.
     */
    public static List<Series> byMethod(List<StudyRow> rows, ToLongFunction<StudyRow> x, ToDoubleFunction<StudyRow> y) {
        Map<String, List<StudyRow>> byVariant = new LinkedHashMap<>();
        for (StudyRow r : rows) {
            if (r.fits() && !Double.isNaN(y.applyAsDouble(r))) {
                byVariant.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Series> out = new ArrayList<>();
        byVariant.forEach((variant, rs) -> out.add(new Series(variant, rs.stream().mapToLong(x).toArray(),
                rs.stream().mapToDouble(y).toArray())));
        return out;
    }
}
