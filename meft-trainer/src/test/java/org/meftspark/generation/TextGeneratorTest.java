package org.meftspark.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;

class TextGeneratorTest {
    // Mistral with a window of 3 so generation runs past the window.
    private static final ModelConfig CFG = new ModelConfig(ModelConfig.MISTRAL, 30, 16, 24, 2, 4, 2, 4, 1e-5, 1000.0, 64,
            true, OptionalInt.of(3), 1, List.of(2), "float64");
    private static final Decoder DEC = new Decoder(CFG,
            DecoderWeights.random(CFG, 17, 0.6, 0.2, new Device(DeviceType.CPU), ScalarType.Double));
    private static final List<long[]> PROMPTS = List.of(new long[] {1, 5, 9}, new long[] {1, 22}, new long[] {1, 3, 4, 7, 11});

    /** Greedy by full forward passes without a cache: the slow, obviously correct version. */
    private static long[] naiveGreedy(long[] prompt, int maxNew) {
        List<Long> seq = new ArrayList<>();
        for (long t : prompt) {
            seq.add(t);
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < maxNew; i++) {
            long[] ids = seq.stream().mapToLong(Long::longValue).toArray();
            Tensor x = torch.from_blob(new LongPointer(ids), new long[] {1, ids.length}, new TensorOptions(ScalarType.Long)).clone();
            long tok = DEC.forward(x).select(1, ids.length - 1).argmax().item_long();
            if (CFG.eosTokenIds().contains((int) tok)) {
                break;
            }
            out.add(tok);
            seq.add(tok);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void batchedLeftPaddedGreedyWithKvCacheEqualsFullForwardGreedyPerPrompt() {
        List<long[]> got = new TextGenerator(DEC).generate(PROMPTS, GenerationConfig.greedy(8, CFG.eosTokenIds()));
        for (int p = 0; p < PROMPTS.size(); p++) {
            assertThat(got.get(p)).as("prompt %d", p).isEqualTo(naiveGreedy(PROMPTS.get(p), 8));
        }
        assertThat(got.stream().mapToInt(a -> a.length).sum()).isGreaterThan(0);
    }

    @Test
    void beamOneEqualsGreedy() {
        TextGenerator g = new TextGenerator(DEC);
        GenerationConfig greedy = GenerationConfig.greedy(8, CFG.eosTokenIds());
        List<long[]> a = g.generate(PROMPTS, greedy);
        List<long[]> b = g.generate(PROMPTS, greedy.withBeams(1));
        for (int p = 0; p < PROMPTS.size(); p++) {
            assertThat(b.get(p)).isEqualTo(a.get(p));
        }
    }

    @Test
    void beamSearchIsBatchInvariantAndScoresAtLeastAsWellAsGreedy() {
        TextGenerator g = new TextGenerator(DEC);
        GenerationConfig beam4 = GenerationConfig.greedy(6, List.of()).withBeams(4);
        List<long[]> batched = g.generate(PROMPTS, beam4);
        for (int p = 0; p < PROMPTS.size(); p++) {
            long[] alone = g.generate(List.of(PROMPTS.get(p)), beam4).get(0);
            assertThat(batched.get(p)).as("prompt %d", p).isEqualTo(alone);
            assertThat(batched.get(p)).hasSize(6); // no EOS: runs to max_new_tokens
            long[] greedy = g.generate(List.of(PROMPTS.get(p)), GenerationConfig.greedy(6, List.of())).get(0);
            assertThat(logProb(PROMPTS.get(p), batched.get(p))).isGreaterThanOrEqualTo(logProb(PROMPTS.get(p), greedy) - 1e-9);
        }
    }

    /**
     * Beam search by full forward passes without a cache, one prompt at a time, over every (beam, token) in
     * beam then token order (Hugging Face's BeamSearchScorer, as {@code TextGenerator.beam} documents it): the
     * slow, obviously correct version, which knows nothing of cache rows.
     */
    private static long[] naiveBeam(long[] prompt, int k, int maxNew, List<Integer> eos, double lengthPenalty) {
        List<long[]> beams = List.of(new long[0]);
        List<Double> scores = List.of(0.0);
        List<long[]> finished = new ArrayList<>();
        List<Double> finishedScores = new ArrayList<>();
        for (int t = 1; ; t++) {
            List<long[]> cand = new ArrayList<>(); // {beam, token}
            List<Double> candScore = new ArrayList<>();
            for (int i = 0; i < beams.size(); i++) {
                long[] ids = Arrays.copyOf(prompt, prompt.length + beams.get(i).length);
                System.arraycopy(beams.get(i), 0, ids, prompt.length, beams.get(i).length);
                Tensor x = torch.from_blob(new LongPointer(ids), new long[] {1, ids.length}, new TensorOptions(ScalarType.Long)).clone();
                Tensor lp = DEC.forward(x).select(1, ids.length - 1).select(0, 0).log_softmax(-1);
                for (int tok = 0; tok < CFG.vocabSize(); tok++) {
                    double sc = scores.get(i) + lp.get(tok).item_double();
                    int at = 0; // after every equal or better one: the first of equals stays first
                    while (at < candScore.size() && candScore.get(at) >= sc) {
                        at++;
                    }
                    cand.add(at, new long[] {i, tok});
                    candScore.add(at, sc);
                }
            }
            List<long[]> nextBeams = new ArrayList<>();
            List<Double> nextScores = new ArrayList<>();
            for (int c = 0; c < Math.min(2 * k, cand.size()) && nextBeams.size() < k; c++) {
                long[] ext = Arrays.copyOf(beams.get((int) cand.get(c)[0]), t);
                ext[t - 1] = cand.get(c)[1];
                if (eos.contains((int) cand.get(c)[1])) {
                    if (c < k) {
                        finished.add(Arrays.copyOf(ext, t - 1));
                        finishedScores.add(candScore.get(c) / Math.pow(t, lengthPenalty));
                    }
                } else {
                    nextBeams.add(ext);
                    nextScores.add(candScore.get(c));
                }
            }
            trimToBest(finished, finishedScores, k);
            if (t == maxNew) {
                for (int i = 0; i < nextBeams.size(); i++) {
                    finished.add(nextBeams.get(i));
                    finishedScores.add(nextScores.get(i) / Math.pow(t, lengthPenalty));
                    trimToBest(finished, finishedScores, k);
                }
                break;
            }
            if (nextBeams.isEmpty() || (finished.size() == k
                    && java.util.Collections.min(finishedScores) >= nextScores.get(0) / Math.pow(t, lengthPenalty))) {
                break;
            }
            beams = nextBeams;
            scores = nextScores;
        }
        return finished.get(finishedScores.indexOf(java.util.Collections.max(finishedScores)));
    }

    private static void trimToBest(List<long[]> hyps, List<Double> scores, int k) {
        if (hyps.size() > k) {
            int worst = scores.indexOf(java.util.Collections.min(scores));
            hyps.remove(worst);
            scores.remove(worst);
        }
    }

    /**
     * Beams move between cache rows every step (a beam continues in its parent's row, a second descendant gets a
     * copy): the batched, cached search must give exactly what the cache-free search gives, with and without EOS.
     */
    @Test
    void beamSearchEqualsACacheFreeSearchOverEveryToken() {
        TextGenerator g = new TextGenerator(DEC);
        for (List<Integer> eos : List.of(List.<Integer>of(), List.of(4, 17))) {
            for (int k : new int[] {2, 4}) {
                GenerationConfig cfg = GenerationConfig.greedy(7, eos).withBeams(k);
                List<long[]> got = g.generate(PROMPTS, cfg);
                for (int p = 0; p < PROMPTS.size(); p++) {
                    assertThat(got.get(p)).as("eos %s, %d beams, prompt %d", eos, k, p)
                            .isEqualTo(naiveBeam(PROMPTS.get(p), k, 7, eos, cfg.lengthPenalty()));
                }
            }
        }
    }

    private static double logProb(long[] prompt, long[] gen) {
        long[] ids = Arrays.copyOf(prompt, prompt.length + gen.length);
        System.arraycopy(gen, 0, ids, prompt.length, gen.length);
        Tensor x = torch.from_blob(new LongPointer(ids), new long[] {1, ids.length}, new TensorOptions(ScalarType.Long)).clone();
        Tensor lp = DEC.forward(x).log_softmax(-1);
        double s = 0;
        for (int i = 0; i < gen.length; i++) {
            s += lp.get(0).get(prompt.length - 1 + i).get(gen[i]).item_double();
        }
        return s;
    }

    @Test
    void stopsOnEosAndOnStopSequencesWhichAreNotReturned() {
        TextGenerator g = new TextGenerator(DEC);
        long[] free = g.generate(List.of(PROMPTS.get(0)), GenerationConfig.greedy(8, List.of())).get(0);
        assertThat(free).hasSize(8);
        GenerationConfig withStop = GenerationConfig.greedy(8, List.of()).withStopSequences(List.of(new long[] {free[2], free[3]}));
        long[] stopped = g.generate(List.of(PROMPTS.get(0)), withStop).get(0);
        // The stop pair may occur earlier than at index 2; the output is whatever precedes its first occurrence.
        int first = 0;
        while (!(free[first] == free[2] && free[first + 1] == free[3])) {
            first++;
        }
        assertThat(stopped).isEqualTo(Arrays.copyOf(free, first));
        long[] eosAtThird = g.generate(List.of(PROMPTS.get(0)), GenerationConfig.greedy(8, List.of((int) free[2]))).get(0);
        int firstEos = 0;
        while (free[firstEos] != free[2]) {
            firstEos++;
        }
        assertThat(eosAtThird).isEqualTo(Arrays.copyOf(free, firstEos));
        for (int beams : new int[] {1, 3}) {
            assertThat(g.generate(List.of(PROMPTS.get(0)), GenerationConfig.greedy(0, List.of()).withBeams(beams)).get(0)).isEmpty();
        }
    }

    /**
     * Beam search's ranking from the device's candidates equals a scan over every (row, token) on the host (float32
     * log-probabilities summed in float64): logits with exact ties everywhere, also at rows' n-th places (the exact
     * fallback), logits without ties (each row's best n only), ties inside rows' n best (which the host must order
     * by token); a dead row; a prompt with every row dead.
     */
    @Test
    void beamCandidatesRankExactlyAsAScanOverEveryToken() {
        int b = 3, k = 4, v = 50, n = 2 * k;
        torch.manual_seed(7);
        // logits from three values only: many exact ties, also at each row's n-th place
        Tensor tied = torch.randint(3, new long[] {b * k, v}, new TensorOptions(ScalarType.Float)).to(ScalarType.Float);
        Tensor distinct = torch.randn(new long[] {b * k, v}, new TensorOptions(ScalarType.Float));
        // distinct but for an exact tie at every row's top (tokens 9 and 4): inside the n best, not at the n-th place
        Tensor tiedAtTop = distinct.clone();
        tiedAtTop.narrow(1, 9, 1).fill_(new org.bytedeco.pytorch.Scalar(9.0));
        tiedAtTop.narrow(1, 4, 1).fill_(new org.bytedeco.pytorch.Scalar(9.0));
        java.util.Random rnd = new java.util.Random(3);
        double[] score = new double[b * k];
        for (int r = 0; r < b * k; r++) {
            score[r] = r / k == 2 || r == 1 ? Double.NEGATIVE_INFINITY : -rnd.nextInt(3) * 0.5;
        }
        for (Tensor logits : List.of(tied, distinct, tiedAtTop)) {
            Tensor lp = logits.log_softmax(-1).to(ScalarType.Double).contiguous();
            double[] flat = new double[b * k * v];
            new org.bytedeco.javacpp.DoublePointer(lp.data_ptr()).capacity(flat.length).get(flat);

            List<List<TextGenerator.Candidate>> cands = TextGenerator.candidates(logits, score, b, k, n);
            for (int p = 0; p < b; p++) {
                List<TextGenerator.Candidate> every = new ArrayList<>();
                for (int r = p * k; r < p * k + k; r++) {
                    for (int tok = 0; tok < v; tok++) {
                        if (score[r] != Double.NEGATIVE_INFINITY) { // the scan skipped dead rows
                            every.add(new TextGenerator.Candidate(r, tok, flat[r * v + tok]));
                        }
                    }
                }
                assertThat(cands.get(p).size()).as("prompt %d keeps few", p).isLessThan(Math.max(1, every.size()));
                if (logits != tied) {
                    assertThat(cands.get(p).size()).as("prompt %d: each live row's best n", p).isLessThanOrEqualTo(k * n);
                }
                assertThat(TextGenerator.topCandidates(cands.get(p), score, n)).as("prompt %d", p)
                        .containsExactly(TextGenerator.topCandidates(every, score, n));
            }
            assertThat(cands.get(2)).as("every row dead").isEmpty();
        }
    }
}
