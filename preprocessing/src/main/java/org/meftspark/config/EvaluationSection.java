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
 */
public record EvaluationSection(Decoding decoding, int beams, int maxNewTokens, int batchSize,
                               int bootstrapSamples, int maxExamples, int reportExamples) implements java.io.Serializable {

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

    public static final Section<EvaluationSection> SECTION = new Section<>("evaluation",
            "Generation and scoring of the evaluation split.",
            List.of(DECODING, BEAMS, MAX_NEW_TOKENS, BATCH_SIZE, BOOTSTRAP_SAMPLES, MAX_EXAMPLES, REPORT_EXAMPLES),
            v -> new EvaluationSection(v.get(DECODING), v.get(BEAMS), v.get(MAX_NEW_TOKENS), v.get(BATCH_SIZE),
                    v.get(BOOTSTRAP_SAMPLES), v.get(MAX_EXAMPLES), v.get(REPORT_EXAMPLES)));
}
