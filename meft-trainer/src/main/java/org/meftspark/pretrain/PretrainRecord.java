package org.meftspark.pretrain;

import java.util.List;
import java.util.Map;

/**
 * {@code pretrain.json} beside the pretrained weights (issue 15 item 1): what the base was
 * trained on and how, so a result that uses it can cite its provenance (Tribuo's habit).
 *
 * @param worldSeed        seed of the generated world
 * @param baseTowns        towns of W0
 * @param passageOnlyTowns W0 towns stated in passages only
 * @param passagesPerTown  passages per W0 town
 * @param rows             corpus rows by kind (passage, nq_open, squad, gsm8k, toolbench)
 * @param corpusTokens     tokens of one pass over the corpus, BOS and EOS included
 * @param steps            optimizer steps
 * @param microBatchSize   rows per step
 * @param learningRate     peak learning rate
 * @param runSeed          {@code run.seed}: data order
 * @param initSeed         seed of the random initial weights
 * @param threads          libtorch CPU threads (results are bit-identical for a given count)
 * @param tokensSeen       loss-bearing tokens trained on, over all steps
 * @param firstLosses      training loss of the first steps, exactly as logged (the reproduction check)
 * @param finalTrainLoss   mean training loss of the last 50 steps
 * @param finalLosses      after training, mean loss per token on up to 128 corpus rows of each kind
 * @param wallSeconds      training time summed over every part of a resumed run
 * @param versions         java, libtorch, the preset
 * @param weightsSha256    sha256 of model.safetensors
 */
public record PretrainRecord(long worldSeed, int baseTowns, int passageOnlyTowns, int passagesPerTown,
                             Map<String, Integer> rows, long corpusTokens, long steps, int microBatchSize,
                             double learningRate, long runSeed, long initSeed, int threads, long tokensSeen,
                             List<Double> firstLosses, double finalTrainLoss, Map<String, Double> finalLosses,
                             double wallSeconds, Map<String, String> versions, String weightsSha256) {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    /** Reads a model folder's {@code pretrain.json}. */
    public static PretrainRecord read(java.nio.file.Path file) {
        try {
            return JSON.readValue(file.toFile(), PretrainRecord.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(file + ": cannot read the pretraining record: " + e.getMessage(), e);
        }
    }

    /** The world the base was pretrained on; its W1 is what fine-tuning may teach it. */
    public org.meftspark.synth.WorldSplit world() {
        return new org.meftspark.synth.WorldSplit(worldSeed, baseTowns, passageOnlyTowns);
    }
}
