package org.meftspark.config;

import java.util.List;
import org.meftspark.config.AdapterSection.Method;

/**
 * The knowledge-intensive study (issue 8; {@code bin/meft study}): which fact counts, which
 * methods, under which device budget. Every other section of the same file is the base run that
 * each method's variant starts from (same data order, steps and batch, so the same tokens).
 *
 * @param facts          fact counts to generate and train on, one pipeline run each
 * @param deviceBudgetMb device bytes (MiB, as the MemoryLedger counts them: frozen weights,
 *                       trainables, gradients, moments, MEFT's working set) every method must fit in
 * @param meftFactor     MEFT's N as a multiple of the largest Parallel Adapter's N that fits
 * @param methods        methods to size and run, in report order ({@code none} is zero-shot)
 * @param seenExamples   training questions evaluated per method to measure memorisation next to
 *                       the held-out paraphrases (0 skips it)
 * @param learningRates  the grid every trained method runs at (issue 15 item 5: fair tuning); each method's
 *                       reported row is the rate with the best validation EM; empty runs training.learning_rate only
 * @param probeExamples  questions evaluated per method on each of the validation, extraction and W0 splits
 *                       (those splits exist when the base has a pretrain.json, like embedded:world-base)
 */
public record StudySection(List<Integer> facts, double deviceBudgetMb, int meftFactor, List<Method> methods,
                           int seenExamples, List<Double> learningRates, int probeExamples) implements java.io.Serializable {

    public static final Key<List<String>> FACTS = Key.stringList("facts", List.of("1000", "4000", "16000"),
            "[1-9][0-9]{0,7}", "positive integers", "Fact counts; one generated dataset and pipeline run each.");
    public static final Key<Double> DEVICE_BUDGET_MB = Key.real("device_budget_mb", 1.75, 0.0, true, 1 << 24,
            "Device MiB (the ledger's categories; activations excluded) every method is sized to.");
    public static final Key<Integer> MEFT_FACTOR = Key.integer("meft_factor", 16, 1, 1 << 16,
            "MEFT's N as a multiple of the largest Parallel Adapter N that fits the budget.");
    public static final Key<List<String>> METHODS = Key.stringList("methods",
            List.of("none", "lora", "parallel_adapter", "meft", "full"), "none|lora|parallel_adapter|meft|full",
            "none, lora, parallel_adapter, meft, full", "Methods sized and run, in report order; none is zero-shot.");
    public static final Key<Integer> SEEN_EXAMPLES = Key.integer("seen_examples", 300, 0, 1 << 24,
            "Training questions evaluated per method (memorisation), besides the held-out paraphrases; 0 skips.");

    public static final Key<List<String>> LEARNING_RATES = Key.stringList("learning_rates", List.of(),
            "[0-9]*\\.?[0-9]+([eE]-?[0-9]+)?", "positive numbers",
            "Learning-rate grid every trained method runs at; the rate with the best validation EM is reported. "
                    + "Empty: training.learning_rate only.");
    public static final Key<Integer> PROBE_EXAMPLES = Key.integer("probe_examples", 300, 0, 1 << 24,
            "Questions evaluated per method on the validation, extraction and W0 splits (pretrained bases).");

    public static final Section<StudySection> SECTION = new Section<>("study",
            "The knowledge-intensive study (bin/meft study): fact counts, methods and the device budget.",
            List.of(FACTS, DEVICE_BUDGET_MB, MEFT_FACTOR, METHODS, SEEN_EXAMPLES, LEARNING_RATES, PROBE_EXAMPLES),
            v -> new StudySection(v.get(FACTS).stream().map(Integer::valueOf).toList(), v.get(DEVICE_BUDGET_MB),
                    v.get(MEFT_FACTOR), v.get(METHODS).stream()
                    .map(s -> Method.valueOf(s.toUpperCase(java.util.Locale.ROOT))).toList(), v.get(SEEN_EXAMPLES),
                    v.get(LEARNING_RATES).stream().map(Double::valueOf).toList(), v.get(PROBE_EXAMPLES)));

    /** The budget in bytes. */
    public long deviceBudgetBytes() {
        return (long) (deviceBudgetMb * (1 << 20));
    }
}
