package org.meftspark.bench;

import java.util.List;
import java.util.OptionalInt;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.device.TorchRuntime;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;

/**
 * Forward and forward+backward tokens/s of a decoder on the CPU, as a fraction of
 * the dense matmul GFLOP/s that {@code meft doctor} measures, both in the same run
 * (the machines are shared and noisy; only the ratio is meaningful).
 *
 * <p>FLOPs counted: the matmuls only (2 per multiply-add): q/k/v/o and the three
 * SwiGLU projections per layer, the LM head, and attention's QK^T and AV over the
 * full T x T square that the fused kernel computes under the causal mask.
 * Forward+backward trains every weight, so backward is counted as twice the
 * forward (gradients of inputs and of weights).
 */
public final class ModelThroughput {

    /**
     * One measurement.
     *
     * @param tokensPerStep        batch x sequence length
     * @param forwardFlopsPerToken matmul FLOPs of one token's forward pass
     * @param forwardTokensPerSec  forward tokens/s (no autograd)
     * @param trainTokensPerSec    forward+backward tokens/s (all weights trainable)
     * @param matmulGflops         dense fp32 matmul GFLOP/s: the best of three one-second samples taken
     *                             before, between and after the model phases (the peak this machine showed
     *                             during the run; a busy neighbour lowers single samples)
     * @param matmulSpread         lowest sample / best sample; far below 1 means the run was disturbed
     */
    public record Result(long tokensPerStep, double forwardFlopsPerToken, double forwardTokensPerSec,
                         double trainTokensPerSec, double matmulGflops, double matmulSpread) {

        public double forwardGflops() {
            return forwardTokensPerSec * forwardFlopsPerToken / 1e9;
        }

        public double trainGflops() {
            return trainTokensPerSec * 3 * forwardFlopsPerToken / 1e9;
        }
    }

    private ModelThroughput() {
    }

    /** The benchmark's model: LLaMA, 4 layers, d = 512, 8 heads, SwiGLU width 1376, Mistral's vocabulary size. */
    public static ModelConfig benchmarkModel() {
        return new ModelConfig(ModelConfig.LLAMA, 32000, 512, 1376, 4, 8, 8, 64, 1e-5, 10000.0, 4096, false,
                OptionalInt.empty(), 1, List.of(2), "float32");
    }

    /** Matmul FLOPs of one token's forward pass at sequence length {@code t}. */
    public static double forwardFlopsPerToken(ModelConfig c, long t) {
        double d = c.hiddenSize();
        double qDim = (double) c.numAttentionHeads() * c.headDim();
        double kvDim = (double) c.numKeyValueHeads() * c.headDim();
        double perLayer = d * qDim + 2 * d * kvDim + qDim * d + 3 * d * c.intermediateSize();
        double attention = 2.0 * t * qDim;   // QK^T and AV: t * head_dim per head each
        return 2 * (c.numHiddenLayers() * (perLayer + attention) + d * c.vocabSize());
    }

    /** Runs {@code reps} timed steps of each kind after one warm-up step, with one-second matmul samples. */
    public static Result run(ModelConfig c, int batch, int seq, int reps, long seed) {
        return run(c, batch, seq, reps, seed, 1.0);
    }

    static Result run(ModelConfig c, int batch, int seq, int reps, long seed, double matmulSeconds) {
        double[] matmul = new double[3];
        matmul[0] = TorchRuntime.cpuMatmulGflops(1024, matmulSeconds);
        Device cpu = new Device(DeviceType.CPU);
        try (PointerScope scope = new PointerScope()) {
            DecoderWeights w = DecoderWeights.random(c, seed, 0.02, 0.0, cpu, ScalarType.Float);
            Decoder decoder = new Decoder(c, w);
            torch.manual_seed(seed);
            Tensor tokens = torch.randint(c.vocabSize(), new long[] {batch, seq},
                    new org.bytedeco.pytorch.TensorOptions(ScalarType.Long));   // [B, T]
            double fwd;
            try (NoGradGuard g = new NoGradGuard()) {
                step(decoder, tokens, false);
                long start = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    step(decoder, tokens, false);
                }
                fwd = (double) batch * seq * reps / ((System.nanoTime() - start) / 1e9);
            }
            matmul[1] = TorchRuntime.cpuMatmulGflops(1024, matmulSeconds);
            w.named(c).values().forEach(t -> t.requires_grad_(true));
            step(decoder, tokens, true);
            long start = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                step(decoder, tokens, true);
            }
            double train = (double) batch * seq * reps / ((System.nanoTime() - start) / 1e9);
            matmul[2] = TorchRuntime.cpuMatmulGflops(1024, matmulSeconds);
            double best = java.util.Arrays.stream(matmul).max().orElseThrow();
            double worst = java.util.Arrays.stream(matmul).min().orElseThrow();
            return new Result((long) batch * seq, forwardFlopsPerToken(c, seq), fwd, train, best, worst / best);
        }
    }

    private static void step(Decoder decoder, Tensor tokens, boolean backward) {
        try (PointerScope step = new PointerScope()) {
            Tensor logits = decoder.forward(tokens);    // [B, T, V]
            Tensor loss = logits.mean();                // a scalar that depends on every logit
            if (backward) {
                loss.backward();
                decoder.weights().named(decoder.config()).values().forEach(t -> t.mutable_grad().put(new Tensor())); // as DeviceAdamW.zeroGrad
            } else {
                loss.item_double();   // forces the pass (CPU kernels are synchronous anyway)
            }
        }
    }
}
