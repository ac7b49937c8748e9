package org.meftspark.jobs.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the study reads back from a variant's training {@code metrics.jsonl}: steps, target
 * tokens, the ledger's peak device bytes, the host store's bytes and the median step time.
 *
 * @param steps             logged steps
 * @param targetTokens      sum of target tokens over the steps
 * @param ledgerPeakBytes   largest {@code device_bytes_peak_total}
 * @param hostBytes         last {@code host_bytes} (0 when absent: not MEFT)
 * @param stepSecondsMedian median {@code step_s} after the first step (it carries one-off warm-up)
 * @param finalLoss         mean loss over the last tenth of the steps (one step's loss is noisy)
 */
record TrainingStats(long steps, long targetTokens, long ledgerPeakBytes, long hostBytes, double stepSecondsMedian,
                     double finalLoss) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final TrainingStats NONE = new TrainingStats(0, 0, 0, 0, Double.NaN, Double.NaN);

    static TrainingStats read(Path metrics) {
        long steps = 0, tokens = 0, peak = 0, host = 0;
        List<Double> times = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(metrics)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode m = JSON.readTree(line);
                steps++;
                tokens += m.path("target_tokens").asLong();
                peak = Math.max(peak, m.path("device_bytes_peak_total").asLong());
                host = m.path("host_bytes").asLong(host);
                if (m.hasNonNull("loss") && !m.path("skipped").asBoolean()) {
                    losses.add(m.path("loss").asDouble());
                }
                if (m.path("step").asLong() > 1) {
                    times.add(m.path("step_s").asDouble());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training metrics " + metrics + ": " + e.getMessage(), e);
        }
        times.sort(Double::compare);
        double median = times.isEmpty() ? Double.NaN : times.get(times.size() / 2);
        int tail = Math.max(1, losses.size() / 10);
        double finalLoss = losses.isEmpty() ? Double.NaN
                : losses.subList(losses.size() - tail, losses.size()).stream().mapToDouble(Double::doubleValue).average()
                .orElseThrow();
        return new TrainingStats(steps, tokens, peak, host, median, finalLoss);
    }
}
