package org.meftspark.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.meftspark.train.StepMetrics;

/**
 * A trainer's {@code metrics.jsonl} (one JSON object per optimizer step, {@link StepMetrics}) as
 * series against the step, for the report's loss curve and the notebooks' figures. Unlike
 * {@link StepMetrics#read}, which gives typed steps, this reader charts whatever numeric fields a line
 * has, so a field added to StepMetrics appears in the report without a change here, and metrics files
 * of older runs still chart.
 *
 * <p>Every top-level field other than {@code step} is a <em>quantity</em>. A numeric field is one
 * series; an array of numbers (per layer, such as {@code active_set_size}) is one series per element,
 * {@code name[i]}; an object of numbers (such as {@code device_bytes_peak}) one series per key,
 * {@code name.key}. A value that is not a finite number (the trainer writes a NaN loss as the string
 * {@code "NaN"}; booleans) is left out of its series, so a step with a NaN loss leaves a gap instead
 * of spoiling the axis. A line that is not a JSON object with a numeric {@code step} is skipped and
 * counted: a run killed mid-write leaves such a last line, and a chart should still show the rest.
 */
public final class TrainingMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** quantity -> series name -> points, both in order of first appearance. */
    private final Map<String, Map<String, Points>> quantities = new LinkedHashMap<>();
    private int lines;
    private int skippedLines;

    private TrainingMetrics() {
    }

    /** Reads a metrics file; bad lines are skipped and counted, an unreadable file is an error. */
    public static TrainingMetrics read(Path jsonl) {
        TrainingMetrics m = new TrainingMetrics();
        try (BufferedReader r = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    m.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training metrics " + jsonl + ": " + e.getMessage(), e);
        }
        return m;
    }

    private void add(String line) {
        lines++;
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (IOException e) {
            skippedLines++;
            return;
        }
        if (o == null || !o.isObject() || !o.path(StepMetrics.STEP).isNumber()) {
            skippedLines++;
            return;
        }
        long step = o.get(StepMetrics.STEP).asLong();
        for (Map.Entry<String, JsonNode> f : o.properties()) {
            String q = f.getKey();
            JsonNode v = f.getValue();
            if (q.equals(StepMetrics.STEP)) {
                continue;
            }
            if (v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    point(q, q + "[" + i + "]", step, v.get(i));
                }
            } else if (v.isObject()) {
                for (Map.Entry<String, JsonNode> e : v.properties()) {
                    point(q, q + "." + e.getKey(), step, e.getValue());
                }
            } else {
                point(q, q, step, v);
            }
        }
    }

    private void point(String quantity, String series, long step, JsonNode v) {
        if (v.isNumber() && Double.isFinite(v.asDouble())) {
            quantities.computeIfAbsent(quantity, k -> new LinkedHashMap<>())
                    .computeIfAbsent(series, k -> new Points()).add(step, v.asDouble());
        }
    }

    /** The quantities with at least one finite point, in order of first appearance. */
    public List<String> quantities() {
        return List.copyOf(quantities.keySet());
    }

    /** The series of one quantity (one for a number, one per element or key otherwise); empty when unknown. */
    public List<Series> quantity(String name) {
        List<Series> out = new ArrayList<>();
        quantities.getOrDefault(name, Map.of()).forEach((s, p) -> out.add(p.toSeries(s)));
        return out;
    }

    /** One series by its full name ({@code loss}, {@code active_set_size[0]}, {@code device_bytes_peak.activations}). */
    public Optional<Series> series(String name) {
        for (Map<String, Points> q : quantities.values()) {
            Points p = q.get(name);
            if (p != null) {
                return Optional.of(p.toSeries(name));
            }
        }
        return Optional.empty();
    }

    /** Non-blank lines in the file. */
    public int lines() {
        return lines;
    }

    /** Lines that were not a JSON object with a numeric {@code step}. */
    public int skippedLines() {
        return skippedLines;
    }

    /** A growing series (a run has from a handful to millions of steps). */
    private static final class Points {
        long[] steps = new long[64];
        double[] values = new double[64];
        int n;

        void add(long step, double value) {
            if (n == steps.length) {
                steps = Arrays.copyOf(steps, n * 2);
                values = Arrays.copyOf(values, n * 2);
            }
            steps[n] = step;
            values[n++] = value;
        }

        Series toSeries(String name) {
            return new Series(name, Arrays.copyOf(steps, n), Arrays.copyOf(values, n));
        }
    }
}
