package org.meftspark.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A training loss curve from the trainer's JSON-lines metrics file: one JSON object per line with at
 * least a numeric {@code step} and {@code loss} (other fields and other line kinds are ignored).
 *
 * @param method       label in the chart legend
 * @param steps        optimizer steps, shape [n], in file order
 * @param losses       loss at each step, shape [n], finite
 * @param skippedLines lines that were not such an object or had a non-finite loss (counted, not fatal)
 */
public record LossCurve(String method, long[] steps, double[] losses, int skippedLines) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checks the arrays agree. */
    public LossCurve {
        if (steps.length != losses.length) {
            throw new IllegalArgumentException("steps and losses differ in length");
        }
    }

    /** Reads a metrics file; a line that is not JSON or lacks a finite step/loss is skipped and counted. */
    public static LossCurve read(String method, Path jsonl) {
        long[] steps = new long[64];
        double[] losses = new double[64];
        int n = 0;
        int skipped = 0;
        try (BufferedReader r = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode o;
                try {
                    o = JSON.readTree(line);
                } catch (IOException e) {
                    skipped++;
                    continue;
                }
                if (o == null || !o.path("step").isNumber() || !o.path("loss").isNumber()
                        || !Double.isFinite(o.get("loss").asDouble())) {
                    skipped++;
                    continue;
                }
                if (n == steps.length) {
                    steps = Arrays.copyOf(steps, n * 2);
                    losses = Arrays.copyOf(losses, n * 2);
                }
                steps[n] = o.get("step").asLong();
                losses[n++] = o.get("loss").asDouble();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training metrics " + jsonl + ": " + e.getMessage(), e);
        }
        return new LossCurve(method, Arrays.copyOf(steps, n), Arrays.copyOf(losses, n), skipped);
    }
}
