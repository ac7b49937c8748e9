package org.meftspark.model;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A reference decoder in plain Java loops over doubles (Jlama style: the libtorch backend is
 * tested against a naive implementation). One unpadded sequence, positions 0..T-1, written
 * straight from the Hugging Face LLaMA/Mistral definitions without sharing code with {@link Decoder}.
 * Rotary scaling (linear, dynamic NTK, llama3) is written out here again from
 * {@code modeling_rope_utils.py}, not taken from {@link RopeScaling}.
 */
final class NaiveDecoder {
    private final ModelConfig c;
    private final DecoderWeights w;

    NaiveDecoder(ModelConfig c, DecoderWeights w) {
        this.c = c;
        this.w = w;
    }

    static double[] data(Tensor t) {
        Tensor d = t.to(ScalarType.Double).contiguous();
        double[] out = new double[(int) d.numel()];
        new DoublePointer(d.data_ptr()).capacity(out.length).get(out);
        return out;
    }

    /** y[o] = sum_i W[o, i] x[i], W stored [out, in]. */
    private static double[] matvec(double[] W, double[] x, int out) {
        int in = x.length;
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = 0;
            for (int i = 0; i < in; i++) {
                s += W[o * in + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private double[] rmsNorm(double[] x, double[] g) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double r = 1.0 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = g[i] * x[i] * r;
        }
        return y;
    }

    /** The inverse frequency of channel pair i for a sequence of T tokens, per the config's rope type. */
    private double frequency(int i, int T) {
        int hd = c.headDim();
        RopeScaling r = c.ropeScaling();
        double base = c.ropeTheta();
        if (r.type() == RopeScaling.Type.DYNAMIC && T > c.maxPositionEmbeddings()) {
            // base * ((factor * seq_len / max_position_embeddings) - (factor - 1)) ** (dim / (dim - 2))
            base = base * Math.pow(r.factor() * T / c.maxPositionEmbeddings() - (r.factor() - 1), hd / (double) (hd - 2));
        }
        double freq = 1.0 / Math.pow(base, (2.0 * i) / hd);
        switch (r.type()) {
            case LINEAR -> freq = freq / r.factor();
            case LLAMA3 -> {
                double old = r.originalMaxPositionEmbeddings();
                double wavelen = 2 * Math.PI / freq;
                if (wavelen > old / r.lowFreqFactor()) {
                    freq = freq / r.factor();
                } else if (wavelen >= old / r.highFreqFactor()) {
                    double smooth = (old / wavelen - r.lowFreqFactor()) / (r.highFreqFactor() - r.lowFreqFactor());
                    freq = (1 - smooth) * freq / r.factor() + smooth * freq;
                }
            }
            default -> { }
        }
        return freq;
    }

    /** Rotates one head vector in place (rotate-half pairing: channel i with i + hd/2). */
    private void rope(double[] v, int off, int pos, int T) {
        int hd = c.headDim();
        int half = hd / 2;
        for (int i = 0; i < half; i++) {
            double a = pos * frequency(i, T);
            double x1 = v[off + i], x2 = v[off + i + half];
            v[off + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
            v[off + i + half] = x2 * Math.cos(a) + x1 * Math.sin(a);
        }
    }

    /** Logits [T][V] for one sequence. */
    double[][] logits(int[] tokens) {
        int d = c.hiddenSize(), hd = c.headDim(), nh = c.numAttentionHeads(), nkv = c.numKeyValueHeads();
        int T = tokens.length, V = c.vocabSize(), I = c.intermediateSize();
        double[] emb = data(w.embed);
        double[][] h = new double[T][d];
        for (int t = 0; t < T; t++) {
            System.arraycopy(emb, tokens[t] * d, h[t], 0, d);
        }
        int window = c.slidingWindow().orElse(Integer.MAX_VALUE);
        for (LayerWeights lw : w.layers) {
            double[] g1 = data(lw.inputNorm()), wq = data(lw.wq()), wk = data(lw.wk()), wv = data(lw.wv()), wo = data(lw.wo());
            double[] g2 = data(lw.postNorm()), wg = data(lw.wGate()), wu = data(lw.wUp()), wd = data(lw.wDown());
            double[][] q = new double[T][], k = new double[T][], v = new double[T][];
            for (int t = 0; t < T; t++) {
                double[] x = rmsNorm(h[t], g1);
                q[t] = matvec(wq, x, nh * hd);
                k[t] = matvec(wk, x, nkv * hd);
                v[t] = matvec(wv, x, nkv * hd);
                for (int hh = 0; hh < nh; hh++) {
                    rope(q[t], hh * hd, t, T);
                }
                for (int hh = 0; hh < nkv; hh++) {
                    rope(k[t], hh * hd, t, T);
                }
            }
            for (int t = 0; t < T; t++) {
                double[] att = new double[nh * hd];
                for (int hh = 0; hh < nh; hh++) {
                    int kvh = hh / (nh / nkv);
                    int first = Math.max(0, t - window + 1);
                    double[] sc = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = first; s <= t; s++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) {
                            dot += q[t][hh * hd + i] * k[s][kvh * hd + i];
                        }
                        sc[s] = dot / Math.sqrt(hd);
                        max = Math.max(max, sc[s]);
                    }
                    double z = 0;
                    for (int s = first; s <= t; s++) {
                        sc[s] = Math.exp(sc[s] - max);
                        z += sc[s];
                    }
                    for (int s = first; s <= t; s++) {
                        for (int i = 0; i < hd; i++) {
                            att[hh * hd + i] += sc[s] / z * v[s][kvh * hd + i];
                        }
                    }
                }
                double[] o = matvec(wo, att, d);
                for (int i = 0; i < d; i++) {
                    h[t][i] += o[i];
                }
            }
            for (int t = 0; t < T; t++) {
                double[] x = rmsNorm(h[t], g2);
                double[] gate = matvec(wg, x, I), up = matvec(wu, x, I);
                double[] act = new double[I];
                for (int i = 0; i < I; i++) {
                    act[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                double[] f = matvec(wd, act, d);
                for (int i = 0; i < d; i++) {
                    h[t][i] += f[i];
                }
            }
        }
        double[] gf = data(w.finalNorm), head = data(w.lmHead);
        double[][] out = new double[T][];
        for (int t = 0; t < T; t++) {
            out[t] = matvec(head, rmsNorm(h[t], gf), V);
        }
        return out;
    }

    /**
     * max |got - ref| / max |ref| over every position and vocabulary entry: the error of flattened
     * [T * V] logits against the reference's [T][V], relative to the largest reference logit.
     */
    static double maxRelativeError(double[][] ref, double[] got, int vocab) {
        double maxRef = 0, maxErr = 0;
        for (int t = 0; t < ref.length; t++) {
            for (int v = 0; v < vocab; v++) {
                maxRef = Math.max(maxRef, Math.abs(ref[t][v]));
                maxErr = Math.max(maxErr, Math.abs(got[t * vocab + v] - ref[t][v]));
            }
        }
        if (maxRef == 0) {
            throw new AssertionError("the reference logits are all zero: the comparison would say nothing");
        }
        return maxErr / maxRef;
    }
}
