package org.meftspark.generation;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.meftspark.model.Decoder;
import org.meftspark.model.KvCache;

/**
 * Autoregressive decoding with a KV cache: greedy and beam search over a batch of prompts of
 * different lengths (left padded, so every row's next token sits in the last column). Adapters
 * take part through the decoder's hooks, as in training. Greedy picks with libtorch's argmax; beam
 * search ranks on the host in float64, which keeps ties and beam bookkeeping exact and simple, over
 * the few continuations the device found able to rank ({@link #candidates}: each row's best few).
 */
public final class TextGenerator {
    private final Decoder decoder;

    public TextGenerator(Decoder decoder) {
        this.decoder = decoder;
    }

    /** Generated tokens per prompt (prompt, EOS and stop sequence excluded). */
    @SuppressWarnings("try") // the guards act by existing: no-grad mode and native-memory scope
    public List<long[]> generate(List<long[]> prompts, GenerationConfig cfg) {
        org.meftspark.device.TorchRuntime.flushDenormals(); // a confident model's softmax tails are subnormal: slow
        for (long[] p : prompts) {
            if (p.length == 0) {
                throw new IllegalArgumentException("empty prompt: generation needs at least one token (e.g. BOS)");
            }
        }
        try (NoGradGuard noGrad = new NoGradGuard(); PointerScope scope = new PointerScope()) {
            return cfg.numBeams() == 1 ? greedy(prompts, cfg) : beam(prompts, cfg);
        }
    }

    private Tensor longTensor(long[] flat, long rows, long cols) {
        return from_blob(new LongPointer(flat), new long[] {rows, cols}, new TensorOptions(ScalarType.Long))
                .clone().to(decoder.weights().embed.device(), ScalarType.Long);
    }

    /**
     * Left-pads prompts and runs the prompt pass once per prompt; the cache and the returned last logits [rows, V]
     * then hold each prompt {@code copies} times in a row (beam search's K beams). Running every copy through the
     * layers cost K times the prompt's work: a quarter of beam 4's time on the benchmark model (docs/benchmarks.md).
     */
    private Tensor prefill(List<long[]> prompts, int copies, GenerationConfig cfg, KvCache cache) {
        int maxLen = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        int rows = prompts.size();
        long[] ids = new long[rows * maxLen];
        long[] valid = new long[rows * maxLen];
        for (int r = 0; r < rows; r++) {
            long[] pr = prompts.get(r);
            int pad = maxLen - pr.length;
            Arrays.fill(ids, r * maxLen, r * maxLen + pad, cfg.padTokenId());
            System.arraycopy(pr, 0, ids, r * maxLen + pad, pr.length);
            Arrays.fill(valid, r * maxLen + pad, (r + 1) * maxLen, 1);
        }
        Tensor hidden = decoder.hidden(longTensor(ids, rows, maxLen), longTensor(valid, rows, maxLen).to(ScalarType.Bool),
                cache); // [rows, maxLen, d]
        cache.repeatRows(copies);
        // Only the last position's logits are used: the LM head over every prompt position cost as much as the
        // prompt's layers (32,000 x 512 per token on the benchmark model), work PyTorch's peer never does.
        Tensor last = decoder.logits(hidden.select(1, maxLen - 1)); // [rows, V]
        return copies == 1 ? last : last.repeat_interleave(copies, new org.bytedeco.pytorch.LongOptional(0),
                new org.bytedeco.pytorch.LongOptional()); // [rows * copies, V]
    }

    /** One decoding step of every row; returns its logits [rows, V]. */
    private Tensor step(long[] next, KvCache cache) {
        Tensor logits = decoder.forward(longTensor(next, next.length, 1), null, cache);
        return logits.select(1, 0);
    }

    /**
     * Each row's most likely token: libtorch's argmax over the logits, so only the ids leave the device (copying the
     * [rows, V] log-probabilities to Java each step made greedy decoding 0.77x PyTorch's; docs/benchmarks.md). The
     * first of equal maxima, as before: log_softmax keeps the logits' order, and argmax returns the first maximum.
     */
    private static long[] argmax(Tensor logits) {
        return longs(logits.argmax(new org.bytedeco.pytorch.LongOptional(1), false), (int) logits.size(0)); // [rows]
    }

    private List<long[]> greedy(List<long[]> prompts, GenerationConfig cfg) {
        int b = prompts.size();
        long[][] out = new long[b][cfg.maxNewTokens()];
        int[] len = new int[b];
        boolean[] done = new boolean[b];
        if (cfg.maxNewTokens() == 0) {
            return trimmed(out, len);
        }
        KvCache cache = new KvCache(decoder.config().numHiddenLayers(), cfg.maxNewTokens());
        long[] best = argmax(prefill(prompts, 1, cfg, cache));
        for (int t = 0; ; t++) {
            long[] next = new long[b];
            boolean all = true;
            for (int r = 0; r < b; r++) {
                if (done[r]) {
                    next[r] = cfg.padTokenId();
                    continue;
                }
                int tok = (int) best[r];
                next[r] = tok;
                if (cfg.eosTokenIds().contains(tok)) {
                    done[r] = true;
                } else {
                    out[r][len[r]++] = tok;
                    int stop = cfg.stopSuffix(out[r], len[r]);
                    if (stop > 0) {
                        len[r] -= stop;
                        done[r] = true;
                    } else if (len[r] == cfg.maxNewTokens()) {
                        done[r] = true;
                    }
                }
                all &= done[r];
            }
            if (all) {
                return trimmed(out, len);
            }
            best = argmax(step(next, cache));
        }
    }

    private static List<long[]> trimmed(long[][] out, int[] len) {
        List<long[]> res = new ArrayList<>();
        for (int r = 0; r < out.length; r++) {
            res.add(Arrays.copyOf(out[r], len[r]));
        }
        return res;
    }

    /** A finished beam hypothesis. */
    private record Hypothesis(long[] tokens, double score) {
    }

    /**
     * Beam search as Hugging Face's BeamSearchScorer: each step the 2K best (beam, token)
     * continuations per prompt are scanned in order; EOS or a stop sequence finishes a hypothesis
     * (scored sum log p / length^penalty), the first K others continue. A prompt is done when it
     * has K finished hypotheses and no running beam can beat the worst of them.
     */
    private List<long[]> beam(List<long[]> prompts, GenerationConfig cfg) {
        int b = prompts.size(), k = cfg.numBeams();
        int maxNew = cfg.maxNewTokens();
        List<List<Hypothesis>> finished = new ArrayList<>();
        for (int p = 0; p < b; p++) {
            finished.add(new ArrayList<>());
        }
        if (maxNew == 0) {
            List<long[]> empty = new ArrayList<>();
            prompts.forEach(p -> empty.add(new long[0]));
            return empty;
        }
        KvCache cache = new KvCache(decoder.config().numHiddenLayers(), maxNew);
        BeamRows rows = new BeamRows(b, k);
        long[][] seq = new long[b * k][0];
        double[] score = new double[b * k];
        for (int r = 0; r < b * k; r++) {
            // Only the first copy of each prompt is live at the start, so the K beams differ.
            score[r] = r % k == 0 ? 0 : Double.NEGATIVE_INFINITY;
        }
        List<List<Candidate>> cands = candidates(prefill(prompts, k, cfg, cache), score, b, k, 2 * k);
        boolean[] done = new boolean[b];
        for (int t = 1; ; t++) {
            long[] next = new long[b * k];
            long[] srcRow = new long[b * k];
            long[][] newSeq = new long[b * k][];
            double[] newScore = new double[b * k];
            for (int p = 0; p < b; p++) {
                if (done[p]) {
                    for (int j = 0; j < k; j++) {
                        int r = p * k + j;
                        srcRow[r] = r;
                        next[r] = cfg.padTokenId();
                        newSeq[r] = seq[r];
                        newScore[r] = Double.NEGATIVE_INFINITY;
                    }
                    continue;
                }
                Candidate[] cand = topCandidates(cands.get(p), score, 2 * k);
                int filled = 0;
                for (Candidate c : cand) {
                    int r = c.row(), tok = c.token();
                    double s = score[r] + c.logProb();
                    if (s == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    long[] extended = Arrays.copyOf(seq[r], seq[r].length + 1);
                    extended[seq[r].length] = tok;
                    int stop = cfg.eosTokenIds().contains(tok) ? 1 : cfg.stopSuffix(extended, extended.length);
                    if (stop > 0) {
                        // HF adds EOS hypotheses only if they rank among the top K candidates.
                        if (countBetter(cand, c) < k) {
                            addHypothesis(finished.get(p), k, Arrays.copyOf(extended, extended.length - stop),
                                    s / Math.pow(t, cfg.lengthPenalty()));
                        }
                        continue;
                    }
                    if (filled < k) {
                        int row = p * k + filled++;
                        srcRow[row] = r;
                        next[row] = tok;
                        newSeq[row] = extended;
                        newScore[row] = s;
                    }
                }
                for (; filled < k; filled++) {
                    int row = p * k + filled;
                    srcRow[row] = p * k;
                    next[row] = cfg.padTokenId();
                    newSeq[row] = seq[p * k];
                    newScore[row] = Double.NEGATIVE_INFINITY;
                }
                double bestRunning = newScore[p * k];
                List<Hypothesis> fin = finished.get(p);
                if (t == maxNew) {
                    for (int j = 0; j < k; j++) {
                        if (newScore[p * k + j] > Double.NEGATIVE_INFINITY) {
                            addHypothesis(fin, k, newSeq[p * k + j], newScore[p * k + j] / Math.pow(t, cfg.lengthPenalty()));
                        }
                    }
                    done[p] = true;
                } else if (bestRunning == Double.NEGATIVE_INFINITY
                        || (fin.size() == k && worst(fin) >= bestRunning / Math.pow(t, cfg.lengthPenalty()))) {
                    done[p] = true;
                }
            }
            seq = newSeq;
            score = newScore;
            boolean all = true;
            for (boolean d : done) {
                all &= d;
            }
            if (all) {
                break;
            }
            // Each live beam's cache row must hold its parent's prefix: its parent's own row, or a copy of it.
            boolean[] live = new boolean[b * k];
            for (int r = 0; r < b * k; r++) {
                live[r] = score[r] > Double.NEGATIVE_INFINITY;
            }
            BeamRows.Copies copies = rows.advance(srcRow, live);
            cache.copyRows(copies.from(), copies.to());
            cands = rows.byBeam(candidates(step(rows.byRow(next), cache), rows.byRow(score), b, k, 2 * k));
        }
        List<long[]> res = new ArrayList<>();
        for (List<Hypothesis> fin : finished) {
            res.add(fin.stream().max((x, y) -> Double.compare(x.score(), y.score())).map(Hypothesis::tokens).orElse(new long[0]));
        }
        return res;
    }

    private static int countBetter(Candidate[] cand, Candidate c) {
        int n = 0;
        for (Candidate x : cand) {
            if (x == c) {
                break;
            }
            n++;
        }
        return n;
    }

    private static void addHypothesis(List<Hypothesis> fin, int k, long[] tokens, double score) {
        fin.add(new Hypothesis(tokens, score));
        if (fin.size() > k) {
            fin.remove(fin.stream().min((x, y) -> Double.compare(x.score(), y.score())).orElseThrow());
        }
    }

    private static double worst(List<Hypothesis> fin) {
        return fin.stream().mapToDouble(Hypothesis::score).min().orElse(Double.NEGATIVE_INFINITY);
    }

    /** A continuation: beam row {@code row} extended by {@code token}, whose log-probability is {@code logProb}. */
    record Candidate(int row, int token, double logProb) {
    }

    /**
     * Each prompt's continuations that can rank among its n best by score[row] + log p(token | row), in row then
     * token order, rows whose score is -inf left out. Log-probabilities are float32, as Hugging Face's (the naive
     * reference in the tests computes them so too); the host sums and ranks them in float64. Only a few leave the
     * device: within a row the order is the log-probabilities', so a continuation outside its row's n best has n
     * strictly better ones beside it and cannot rank; each row's n best are therefore enough, found by one top-k
     * over the row. That set is ambiguous only when the row's n-th and (n+1)-th values are equal; then every
     * continuation at or above each prompt's n-th best score is taken instead, ties included
     * ({@link #atOrAboveNth}). Ranking the result with {@link #topCandidates} gives exactly what ranking all
     * K x V would. The float64 log-softmax and comparisons over every [rows, V] entry this replaces cost more than
     * the step's forward pass (docs/benchmarks.md).
     *
     * @param logits [b * k, V], rows grouped by prompt
     */
    static List<List<Candidate>> candidates(Tensor logits, double[] score, int b, int k, int n) {
        Tensor lp = logits.log_softmax(-1); // [b*k, V] float32
        int rows = b * k, v = (int) lp.size(1);
        int m = Math.min(n + 1, v); // one more than needed, to see a tie at the n-th place
        var top = lp.topk(m, 1, true, true);
        long[] token = longs(top.get1(), rows * m); // [rows, m], each row best first
        double[] value = doubles(top.get0(), rows * m);
        int take = Math.min(n, v);
        for (int r = 0; r < rows; r++) {
            if (m > n && score[r] != Double.NEGATIVE_INFINITY && value[r * m + n - 1] == value[r * m + n]) {
                return atOrAboveNth(lp, score, b, k, n);
            }
        }
        List<List<Candidate>> out = new ArrayList<>();
        for (int p = 0; p < b; p++) {
            List<Candidate> mine = new ArrayList<>();
            for (int r = p * k; r < p * k + k; r++) {
                if (score[r] == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                Candidate[] row = new Candidate[take];
                for (int j = 0; j < take; j++) {
                    row[j] = new Candidate(r, (int) token[r * m + j], value[r * m + j]);
                }
                Arrays.sort(row, (x, y) -> Integer.compare(x.token(), y.token()));
                mine.addAll(Arrays.asList(row));
            }
            out.add(mine);
        }
        return out;
    }

    /**
     * The exact fallback of {@link #candidates} for ties at a row's n-th place: every continuation whose score is at
     * or above its prompt's n-th best, computed on the device over all [rows, V] entries.
     *
     * @param lp [b * k, V] float32 log-probabilities
     */
    private static List<List<Candidate>> atOrAboveNth(Tensor lp, double[] score, int b, int k, int n) {
        Tensor lp64 = lp.to(ScalarType.Double); // [b*k, V]: the host's float64 sums, made on the device
        int v = (int) lp.size(1);
        Tensor scores = from_blob(new DoublePointer(score), new long[] {score.length, 1}, new TensorOptions(ScalarType.Double))
                .clone().to(lp.device(), ScalarType.Double); // [b*k, 1]
        Tensor flat = lp64.add(scores).view(b, (long) k * v); // [b, k*V]
        int m = (int) Math.min(n, (long) k * v);
        Tensor nth = flat.topk(m, 1, true, true).get0().select(1, m - 1).unsqueeze(1); // [b, 1]
        Tensor keep = flat.ge(nth).logical_and(flat.gt(new Scalar(Double.NEGATIVE_INFINITY))); // [b, k*V]
        Tensor where = keep.nonzero(); // [M, 2]: prompt, row * V + token, in row-major order
        int count = (int) where.size(0);
        long[] at = longs(where, 2 * count);
        double[] logProb = doubles(lp64.view(b, (long) k * v).masked_select(keep), count); // [M], the same order
        List<List<Candidate>> out = new ArrayList<>();
        for (int p = 0; p < b; p++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < count; i++) {
            int p = (int) at[2 * i], f = (int) at[2 * i + 1];
            out.get(p).add(new Candidate(p * k + f / v, f % v, logProb[i]));
        }
        return out;
    }

    /** The first {@code count} entries of {@code t} (any shape, row-major) as int64, on the host. */
    private static long[] longs(Tensor t, int count) {
        long[] out = new long[count];
        if (count > 0) {
            Tensor c = t.to(ScalarType.Long).contiguous().cpu();
            new LongPointer(c.data_ptr()).capacity(count).get(out);
        }
        return out;
    }

    /** The first {@code count} entries of {@code t} (any shape, row-major) as float64, on the host. */
    private static double[] doubles(Tensor t, int count) {
        double[] out = new double[count];
        if (count > 0) {
            Tensor c = t.to(ScalarType.Double).contiguous().cpu();
            new DoublePointer(c.data_ptr()).capacity(count).get(out);
        }
        return out;
    }

    /**
     * The n best candidates by score[row] + logProb, best first; of equal scores, the earlier in the list (row,
     * then token order), as a scan over every (row, token) would keep them.
     */
    static Candidate[] topCandidates(List<Candidate> cands, double[] score, int n) {
        Candidate[] best = new Candidate[Math.min(n, cands.size())];
        double[] bestScore = new double[best.length];
        int size = 0;
        for (Candidate c : cands) {
            double s = score[c.row()] + c.logProb();
            if (size < best.length || s > bestScore[size - 1]) {
                int i = size < best.length ? size++ : size - 1;
                while (i > 0 && bestScore[i - 1] < s) {
                    best[i] = best[i - 1];
                    bestScore[i] = bestScore[i - 1];
                    i--;
                }
                best[i] = c;
                bestScore[i] = s;
            }
        }
        return Arrays.copyOf(best, size);
    }
}
