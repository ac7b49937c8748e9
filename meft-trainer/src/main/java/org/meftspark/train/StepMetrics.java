package org.meftspark.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.meftspark.distributed.ExchangeStats;
import org.meftspark.meft.MeftStepStats;

/**
 * One optimizer step as the trainer reports it: one line of the run directory's {@code metrics.jsonl}
 * and what {@link TrainingListener#onStep} receives. This record owns the file's fields; every reader
 * ({@link #read}) goes through it. A NaN or infinite loss or norm is written as the string {@code "NaN"}
 * or {@code "Infinity"} (Jackson's default), which JSON readers that reject bare NaN still parse.
 *
 * @param step                 1-based optimizer step
 * @param epoch                0-based pass over the training rows the step's data came from
 * @param loss                 mean cross-entropy per target token (NaN when the step was bad)
 * @param lr                   learning rate applied ({@link LrSchedule})
 * @param gradNorm             global L2 norm of the gradients before clipping
 * @param skipped              the step had a NaN/Inf loss or gradient and changed nothing
 * @param badSteps             skipped steps so far in the run
 * @param targetTokens         target tokens in the step (all micro-batches)
 * @param tokensPerS           target tokens per wall-clock second of the step
 * @param stepS                wall-clock seconds of the whole step
 * @param meft                 MEFT's own quantities; null for other methods
 * @param exchange             the step's gradient sums over ranks; null in a one-rank run (issue 17)
 * @param computeS             stepS minus MEFT's retrieval, transfer and waited host update, and the collectives
 * @param deviceBytesPeak      the ledger's peak bytes this step, by {@code MemoryCategory} in lower case
 * @param deviceBytesPeakTotal the ledger's peak of the sum over categories this step
 * @param hostBytes            host bytes of the method's state outside the device (MEFT's store; 0 otherwise)
 * @param rssBytes             the process's resident set after the step
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"step", "epoch", "loss", "lr", "grad_norm", "skipped", "bad_steps", "target_tokens", "tokens_per_s",
        "step_s", "meft", "exchange", "compute_s", "device_bytes_peak", "device_bytes_peak_total",
        "host_bytes", "rss_bytes"})
public record StepMetrics(
        @JsonProperty("step") long step,
        @JsonProperty("epoch") long epoch,
        @JsonProperty("loss") double loss,
        @JsonProperty("lr") double lr,
        @JsonProperty("grad_norm") double gradNorm,
        @JsonProperty("skipped") boolean skipped,
        @JsonProperty("bad_steps") long badSteps,
        @JsonProperty("target_tokens") long targetTokens,
        @JsonProperty("tokens_per_s") double tokensPerS,
        @JsonProperty("step_s") double stepS,
        @JsonUnwrapped MeftStepStats meft,
        @JsonUnwrapped ExchangeStats exchange,
        @JsonProperty("compute_s") double computeS,
        @JsonProperty("device_bytes_peak") Map<String, Long> deviceBytesPeak,
        @JsonProperty("device_bytes_peak_total") long deviceBytesPeakTotal,
        @JsonProperty("host_bytes") long hostBytes,
        @JsonProperty("rss_bytes") long rssBytes) {

    /** The field every line has; readers that chart any field (the report's TrainingMetrics) key on it. */
    public static final String STEP = "step";
    /** The loss field, for readers that chart it from the raw lines. */
    public static final String LOSS = "loss";
    /** The file in a training run directory. */
    public static final String FILE = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    public StepMetrics {
        deviceBytesPeak = deviceBytesPeak == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(deviceBytesPeak));
    }

    /**
     * Jackson cannot fill an unwrapped record component, so reading goes through this factory: MEFT's
     * fields become {@link #meft}, the collectives' {@link #exchange}, when the line has them.
     */
    @JsonCreator
    static StepMetrics fromJson(@JsonProperty("step") long step, @JsonProperty("epoch") long epoch,
                                @JsonProperty("loss") double loss, @JsonProperty("lr") double lr,
                                @JsonProperty("grad_norm") double gradNorm, @JsonProperty("skipped") boolean skipped,
                                @JsonProperty("bad_steps") long badSteps, @JsonProperty("target_tokens") long targetTokens,
                                @JsonProperty("tokens_per_s") double tokensPerS, @JsonProperty("step_s") double stepS,
                                @JsonProperty("active_set_size") List<Double> activeSetSize,
                                @JsonProperty("cap_hits") List<Long> capHits,
                                @JsonProperty("neurons_touched") long neuronsTouched,
                                @JsonProperty("rows_updated") long rowsUpdated,
                                @JsonProperty("retrieval_s") double retrievalS,
                                @JsonProperty("transfer_s") double transferS,
                                @JsonProperty("host_update_s") double hostUpdateS,
                                @JsonProperty("host_update_background_s") double hostUpdateBackgroundS,
                                @JsonProperty("ranks") int ranks,
                                @JsonProperty("allreduce_bytes") long allreduceBytes,
                                @JsonProperty("dense_allreduce_bytes") long denseAllreduceBytes,
                                @JsonProperty("allreduce_s") double allreduceS,
                                @JsonProperty("compute_s") double computeS,
                                @JsonProperty("device_bytes_peak") Map<String, Long> deviceBytesPeak,
                                @JsonProperty("device_bytes_peak_total") long deviceBytesPeakTotal,
                                @JsonProperty("host_bytes") long hostBytes, @JsonProperty("rss_bytes") long rssBytes) {
        MeftStepStats meft = activeSetSize == null ? null : new MeftStepStats(activeSetSize,
                capHits == null ? List.of() : capHits, neuronsTouched, rowsUpdated, retrievalS, transferS, hostUpdateS,
                hostUpdateBackgroundS);
        ExchangeStats exchange = ranks == 0 ? null
                : new ExchangeStats(ranks, allreduceBytes, denseAllreduceBytes, allreduceS);
        return new StepMetrics(step, epoch, loss, lr, gradNorm, skipped, badSteps, targetTokens, tokensPerS, stepS, meft,
                exchange, computeS, deviceBytesPeak, deviceBytesPeakTotal, hostBytes, rssBytes);
    }

    /** MEFT's quantities, when the step was MEFT's. */
    public Optional<MeftStepStats> meftStats() {
        return Optional.ofNullable(meft);
    }

    /** The collectives' quantities, when the run had several ranks. */
    public Optional<ExchangeStats> exchangeStats() {
        return Optional.ofNullable(exchange);
    }

    /** The line written to {@code metrics.jsonl}, without its newline. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the metrics of step " + step + ": " + e.getMessage(), e);
        }
    }

    /** One line back; empty when it is not a whole metrics object (the line a killed run was writing). */
    public static Optional<StepMetrics> parse(String line) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject() || !n.path(STEP).isNumber()) {
                return Optional.empty();
            }
            return Optional.of(JSON.treeToValue(n, StepMetrics.class));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * A whole {@code metrics.jsonl}.
     *
     * @param steps        the lines that parsed, in file order
     * @param lines        non-blank lines in the file
     * @param skippedLines lines that were not a whole metrics object (a killed writer's last line)
     */
    public record Log(List<StepMetrics> steps, int lines, int skippedLines) {
        public Log {
            steps = List.copyOf(steps);
        }

        /** Target tokens over all steps. */
        public long targetTokens() {
            return steps.stream().mapToLong(StepMetrics::targetTokens).sum();
        }

        /** The ledger's largest total over the run (what a device budget is compared with). */
        public long peakDeviceBytes() {
            return steps.stream().mapToLong(StepMetrics::deviceBytesPeakTotal).max().orElse(0);
        }

        /** The last step's host bytes (MEFT's store; 0 otherwise or when empty). */
        public long hostBytes() {
            return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).hostBytes();
        }

        /** Median seconds of the steps after step 1, which carries one-off warm-up; NaN when there are none. */
        public double medianStepSeconds() {
            double[] t = steps.stream().filter(s -> s.step() > 1).mapToDouble(StepMetrics::stepS).sorted().toArray();
            return t.length == 0 ? Double.NaN : t[t.length / 2];
        }

        /** Wall-clock seconds of all steps. */
        public double stepSeconds() {
            return steps.stream().mapToDouble(StepMetrics::stepS).sum();
        }

        /** Losses of the steps that trained (skipped NaN/Inf steps left out), in order. */
        public List<Double> losses() {
            return steps.stream().filter(s -> !s.skipped()).map(StepMetrics::loss).toList();
        }

        /** Mean loss over the last tenth of the trained steps (at least one): one step's loss is noisy. */
        public double finalLoss() {
            List<Double> l = losses();
            int tail = Math.max(1, l.size() / 10);
            return l.isEmpty() ? Double.NaN
                    : l.subList(l.size() - tail, l.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }
    }

    /** Reads a metrics file; lines that are not whole metrics objects are skipped and counted. */
    public static Log read(Path jsonl) {
        List<StepMetrics> steps = new ArrayList<>();
        int lines = 0, skipped = 0;
        try (BufferedReader r = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                lines++;
                Optional<StepMetrics> s = parse(line);
                if (s.isPresent()) {
                    steps.add(s.get());
                } else {
                    skipped++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training metrics " + jsonl + ": " + e.getMessage(), e);
        }
        return new Log(steps, lines, skipped);
    }
}
