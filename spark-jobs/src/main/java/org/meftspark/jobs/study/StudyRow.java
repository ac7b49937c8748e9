package org.meftspark.jobs.study;

import java.util.List;
import org.meftspark.adapters.DeviceFootprint;

/**
 * One line of the study's {@code results.jsonl}: one method at one fact count.
 *
 * @param facts             facts in the generated world
 * @param variant           sweep variant name ({@code zero_shot}, {@code lora}, ...)
 * @param method            adapter method
 * @param size              the overrides that sized it ({@code adapter.lora_rank=30}, ...)
 * @param fits              whether it fit the device budget (a method that does not is reported, not run)
 * @param note              how it was sized, or why it did not fit
 * @param budgetBytes       the device budget
 * @param predictedBytes    device bytes {@code DeviceFootprint} predicted
 * @param ledgerPeakBytes   the trainer's ledger peak over the run (0 when nothing trained)
 * @param hostBytes         host bytes of the MEFT neuron store (0 for the others)
 * @param heldOutEm         exact match on the held-out paraphrases
 * @param heldOutCi         its 95% bootstrap interval {low, high}
 * @param heldOutN          held-out questions scored
 * @param heldOutF1         token F1 on the held-out paraphrases (partial credit: a graded view where EM is 0)
 * @param seenEm            exact match on training questions (memorisation); NaN when not measured
 * @param seenF1            token F1 on those training questions; NaN when not measured
 * @param seenN             training questions scored
 * @param finalLoss         mean training loss over the last tenth of the steps; NaN when nothing trained
 * @param steps             optimizer steps
 * @param targetTokens      target tokens trained on (the same for every method at one fact count)
 * @param stepSecondsMedian median step time after the first step
 * @param seed              the run seed
 * @param learningRate      the variant's learning rate (one point of study.learning_rates)
 * @param chosen            whether this is its method's reported row: the rate with the best validation EM
 *                          (always true without a grid)
 * @param validationEm      EM on the validation paraphrases (where the rate is chosen); NaN when not measured
 * @param extractionEm      EM on W0 facts the base's corpus only stated in passages; NaN when not measured
 * @param w0Em              EM on W0 facts the corpus asked about: after fine-tuning against zero-shot's, the
 *                          forgetting; NaN when not measured
 */
public record StudyRow(int facts, String variant, String method, List<String> size, boolean fits, String note,
                       long budgetBytes, long predictedBytes, long ledgerPeakBytes, long hostBytes, double heldOutEm,
                       List<Double> heldOutCi, long heldOutN, double heldOutF1, double seenEm, double seenF1, long seenN,
                       double finalLoss, long steps, long targetTokens,
                       double stepSecondsMedian, long seed, double learningRate, boolean chosen, double validationEm,
                       double extractionEm, double w0Em) {
}
