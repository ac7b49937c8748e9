package org.meftspark.config;

import java.util.List;

/**
 * Generation and scoring. Defaults: beam 4 and up to 256 new tokens as in the
 * reference setup (meft-method.md section 6).
 *
 * @param decoding         greedy or beam search
 * @param beams            beam width for beam search
 * @param maxNewTokens     most tokens generated per example
 * @param batchSize        prompts decoded together (left-padded)
 * @param bootstrapSamples resamples for the 95% confidence intervals; 0 disables them
 * @param maxExamples      evaluate at most this many examples per dataset; 0 means all
 * @param reportExamples   wrong predictions shown per dataset in report.html (a seeded sample; all
 *                         predictions are in the Parquet output anyway)
 * @param splits           splits the pipeline evaluates; empty means every split but {@code train}
 */
public record EvaluationSection(Decoding decoding, int beams, int maxNewTokens, int batchSize,
                               int bootstrapSamples, int maxExamples, int reportExamples,
                               List<PerDataset> perDataset, List<String> splits) implements java.io.Serializable {

    /**
     * Decoding of one dataset, over the built-in defaults (org.meftspark.evaluation.DatasetDecoding:
     * NQ-open and SQuAD stop at a newline after 32 tokens, ToolBench at a blank line after 128,
     * GSM8K at a blank line or a new "Question:" after 256); max_new_tokens above still caps all.
     *
     * @param dataset      the dataset these settings apply to
     * @param maxNewTokens most generated tokens; 0 keeps the default
     * @param stop         stop strings (YAML escapes such as "\n" work); empty keeps the defaults
     */
    public record PerDataset(org.meftspark.data.Dataset dataset, int maxNewTokens, List<String> stop)
            implements java.io.Serializable {
        public static final Key<org.meftspark.data.Dataset> DATASET = Key.choice("dataset",
                org.meftspark.data.Dataset.class, null, "Dataset these settings apply to.");
        public static final Key<Integer> MAX_NEW_TOKENS = Key.integer("max_new_tokens", 0, 0, 1 << 16,
                "Most generated tokens for this dataset; 0 keeps the built-in default.");
        public static final Key<List<String>> STOP = Key.stringList("stop", List.of(), "(?s).+", "non-empty strings",
                "Stop strings for this dataset; empty keeps the built-in ones.");
        public static final Section<PerDataset> SECTION = new Section<>("per_dataset", "Decoding of one dataset.",
                List.of(DATASET, MAX_NEW_TOKENS, STOP),
                v -> new PerDataset(v.get(DATASET), v.get(MAX_NEW_TOKENS), v.get(STOP)));

        public PerDataset {
            stop = List.copyOf(stop);
        }
    }

    /** Decoding strategy. */
    public enum Decoding { GREEDY, BEAM }

    public static final Key<Decoding> DECODING = Key.choice("decoding", Decoding.class, Decoding.BEAM,
            "greedy, or beam search with 'beams' beams.");
    public static final Key<Integer> BEAMS = Key.integer("beams", 4, 1, 64, "Beam width.");
    public static final Key<Integer> MAX_NEW_TOKENS = Key.integer("max_new_tokens", 256, 1, 1 << 16,
            "Most tokens generated per example.");
    public static final Key<Integer> BATCH_SIZE = Key.integer("batch_size", 8, 1, 4096,
            "Prompts decoded together.");
    public static final Key<Integer> BOOTSTRAP_SAMPLES = Key.integer("bootstrap_samples", 1000, 0, 1_000_000,
            "Bootstrap resamples for 95% confidence intervals; 0 disables them.");
    public static final Key<Integer> MAX_EXAMPLES = Key.integer("max_examples", 0, 0, Integer.MAX_VALUE,
            "Evaluate at most this many examples per dataset (a seeded choice by id); 0 means all.");
    /** 10: enough to see a pattern in the errors, few enough to read them all. */
    public static final Key<Integer> REPORT_EXAMPLES = Key.integer("report_examples", 10, 0, 10_000,
            "Wrong predictions per dataset shown in report.html, a sample seeded by run.seed.");

    public static final Key<List<PerDataset>> PER_DATASET = Key.sectionList("per_dataset", PerDataset.SECTION, 0,
            "Per-dataset stop strings and maximum lengths over the built-in defaults.");

    public static final Key<List<String>> SPLITS = Key.stringList("splits", List.of(), "[a-z][a-z0-9_]{0,31}",
            "split names", "Splits the pipeline evaluates (each is scored on its own rows); empty means every split but train.");

    public static final Section<EvaluationSection> SECTION = new Section<>("evaluation",
            "Generation and scoring of the evaluation split.",
            List.of(DECODING, BEAMS, MAX_NEW_TOKENS, BATCH_SIZE, BOOTSTRAP_SAMPLES, MAX_EXAMPLES, REPORT_EXAMPLES,
                    PER_DATASET, SPLITS),
            v -> new EvaluationSection(v.get(DECODING), v.get(BEAMS), v.get(MAX_NEW_TOKENS), v.get(BATCH_SIZE),
                    v.get(BOOTSTRAP_SAMPLES), v.get(MAX_EXAMPLES), v.get(REPORT_EXAMPLES), v.get(PER_DATASET),
                    v.get(SPLITS)));

    public EvaluationSection {
        perDataset = List.copyOf(perDataset);
        splits = List.copyOf(splits);
        java.util.Set<org.meftspark.data.Dataset> seen = java.util.EnumSet.noneOf(org.meftspark.data.Dataset.class);
        for (PerDataset p : perDataset) {
            if (!seen.add(p.dataset())) {
                throw new IllegalArgumentException("per_dataset: " + p.dataset().key() + " is given twice");
            }
        }
    }

    /** The same evaluation of other splits, at most {@code examples} of them (0: all). */
    public EvaluationSection on(List<String> evaluated, int examples) {
        return new EvaluationSection(decoding, beams, maxNewTokens, batchSize, bootstrapSamples, examples, reportExamples,
                perDataset, evaluated);
    }
}
