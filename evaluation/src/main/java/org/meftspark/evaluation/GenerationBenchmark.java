package org.meftspark.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.meftspark.data.Dataset;
import org.meftspark.model.Decoder;
import org.meftspark.tokenize.Tokenizer;

/**
 * Generation throughput of {@link PredictionGenerator} (docs/benchmarks.md): the same prompts decoded
 * greedily and with beam search, in one run, so the beam/greedy ratio is free of machine noise.
 * Stop strings are off and every prompt generates {@code newTokens} unless the model emits EOS, so
 * the work per run is fixed.
 */
public final class GenerationBenchmark {
    private GenerationBenchmark() {
    }

    /**
     * One decoding setting's measurement.
     *
     * @param beams           1 = greedy
     * @param seconds         wall time of the best repetition
     * @param generatedTokens tokens in the returned answers (one sequence per prompt)
     */
    public record Run(int beams, double seconds, long generatedTokens) {
        /** Returned answer tokens per second. */
        public double tokensPerSecond() {
            return generatedTokens / seconds;
        }
    }

    /**
     * Decodes {@code prompts} random prompts of {@code promptTokens} tokens, {@code reps} times per
     * setting (after one warm-up), with batch size {@code batch}, for each beam width in {@code beams}.
     */
    public static List<Run> run(Decoder decoder, Tokenizer tokenizer, int prompts, int promptTokens, int newTokens,
                                int batch, int reps, List<Integer> beams, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PromptInput> inputs = new ArrayList<>();
        for (int i = 0; i < prompts; i++) {
            int[] ids = new int[promptTokens];
            ids[0] = tokenizer.bosId().orElse(0);
            for (int j = 1; j < promptTokens; j++) {
                // Byte ids of printable ASCII: valid for the byte tokenizer and any larger vocabulary.
                ids[j] = 32 + random.nextInt(95);
            }
            inputs.add(new PromptInput("bench:" + i, Dataset.NQ_OPEN, ids, List.of("x"), 0));
        }
        List<Run> out = new ArrayList<>();
        for (int b : beams) {
            DecodingSettings s = new DecodingSettings(b, batch, 1.0,
                    Map.of(Dataset.NQ_OPEN, new DatasetDecoding(List.of(), newTokens)));
            PredictionGenerator g = new PredictionGenerator(decoder, null, tokenizer, s);
            g.generatePrompts(inputs.subList(0, Math.min(batch, inputs.size()))); // warm-up
            double best = Double.MAX_VALUE;
            long tokens = 0;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                GenerationResult res = g.generatePrompts(inputs);
                double sec = (System.nanoTime() - t0) / 1e9;
                if (sec < best) {
                    best = sec;
                    tokens = res.predictions().stream().mapToLong(Prediction::generatedTokens).sum();
                }
            }
            out.add(new Run(b, best, tokens));
        }
        return out;
    }
}
