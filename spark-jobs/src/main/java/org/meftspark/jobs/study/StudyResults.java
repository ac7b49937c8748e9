package org.meftspark.jobs.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.meftspark.report.Series;

/**
 * Reads a study's {@code results.jsonl} files back (notebooks/study-results.ipynb), keeps each
 * method's row chosen on the validation paraphrases, and groups one quantity into a series per method.
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

    /** The rows of several results files (the parts of one study), in order. */
    public static List<StudyRow> read(List<Path> files) {
        List<StudyRow> rows = new ArrayList<>();
        files.forEach(f -> rows.addAll(read(f)));
        return rows;
    }

    /**
     * Per method, fact count and device budget, the row with the best validation EM: the study's rule
     * (a learning rate is chosen on the validation paraphrases, never on the test ones), applied across
     * the parts of a study run at different rates or epochs. A row without a validation EM (nothing
     * trained, or it did not fit) is kept only where its group has no other; ties keep the earlier row.
     * The result keeps the order in which each group first appears.
     */
    public static List<StudyRow> bestOnValidation(List<StudyRow> rows) {
        Map<String, StudyRow> best = new LinkedHashMap<>();
        for (StudyRow r : rows) {
            best.merge(r.method() + "|" + r.facts() + "|" + r.budgetBytes(), r,
                    (kept, next) -> validation(next) > validation(kept) ? next : kept);
        }
        return List.copyOf(best.values());
    }

    private static double validation(StudyRow r) {
        return Double.isNaN(r.validationEm()) ? Double.NEGATIVE_INFINITY : r.validationEm();
    }

    /**
     * One series per method of one quantity against x (the fact count, or the device bytes):
     * methods that did not fit and values not measured (NaN) are left out, not drawn as zero. Give it one
     * row per method and x ({@link #bestOnValidation}), or a series holds every rate's point.
     */
    public static List<Series> byMethod(List<StudyRow> rows, ToLongFunction<StudyRow> x, ToDoubleFunction<StudyRow> y) {
        Map<String, List<StudyRow>> byMethod = new LinkedHashMap<>();
        for (StudyRow r : rows) {
            if (r.fits() && !Double.isNaN(y.applyAsDouble(r))) {
                byMethod.computeIfAbsent(r.method().equals("none") ? "zero_shot" : r.method(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Series> out = new ArrayList<>();
        byMethod.forEach((method, rs) -> {
            List<StudyRow> sorted = rs.stream().sorted(Comparator.comparingLong(x)).toList();
            out.add(new Series(method, sorted.stream().mapToLong(x).toArray(), sorted.stream().mapToDouble(y).toArray()));
        });
        return out;
    }
}
