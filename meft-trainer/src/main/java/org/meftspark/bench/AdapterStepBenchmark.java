package org.meftspark.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.train.StepMetrics;
import org.meftspark.train.Trainer;
import org.meftspark.train.TrainingListener;

/**
 * One training step of an adapter method through the project's {@code Trainer} on a given model (issue 20
 * item 1): rows of random tokens whose first 8 are the prompt, every step forward, cross-entropy over the
 * targets, backward, global-norm clipping, AdamW. The settings are those of {@code bench/peer/adapter_step.py},
 * which runs the same step in PyTorch eager: LoRA rank 8 (alpha 16, dropout 0.05) on q_proj and v_proj;
 * MEFT with N = 16,384, top-k 32, Key-Experts (n_probe 4, f = 1) and a union cap of 2,048.
 */
public final class AdapterStepBenchmark {
    private AdapterStepBenchmark() {
    }

    /** The adapter section of each method, in YAML flow syntax (the peer's defaults match). */
    public static String adapter(String method) {
        return switch (method) {
            case "lora" -> "{method: lora, lora_rank: 8, lora_alpha: 16.0, lora_dropout: 0.05, lora_targets: [q_proj, v_proj]}";
            case "meft" -> "{method: meft, neurons: 16384, top_k: 32, n_probe: 4, expert_factor: 1.0, union_cap: 2048, "
                    + "init_std: 0.02}";
            default -> throw new IllegalArgumentException("no adapter step benchmark for " + method);
        };
    }

    /** Median seconds of steps 2..{@code steps}. */
    public static double stepSeconds(String method, ModelConfig c, int batch, int seq, int steps) {
        String yaml = """
                adapter: %s
                training: {max_steps: %d, micro_batch_size: %d, gradient_accumulation: 1, checkpoint_every: 0,
                           learning_rate: 0.0001, max_grad_norm: 1.0}
                """.formatted(adapter(method), steps, batch);
        RunConfig rc = RunConfigLoader.parse(yaml, "adapter-step-benchmark", List.of());
        Decoder dec = new Decoder(c, DecoderWeights.random(c, 1, 0.02, 0.0, ComputeDevice.cpu().device(), ScalarType.Float));
        try {
            Path dir = Files.createTempDirectory("meft-step-bench");
            try {
                Trainer.train(rc, dec, rows(batch * steps, seq, c.vocabSize()), dir, false, TrainingListener.NONE,
                        ComputeDevice.cpu(), ScalarType.Float);
                return StepMetrics.read(dir.resolve(StepMetrics.FILE)).medianStepSeconds();
            } finally {
                try (var s = Files.walk(dir)) {
                    for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(q);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<TokenizedExample> rows(int n, int len, int vocab) {
        Random r = new Random(3);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[len];
            for (int j = 0; j < len; j++) {
                ids[j] = r.nextInt(vocab);
            }
            out.add(new TokenizedExample("s" + i, "bench", "train", ids, 8, List.of(), "bench", 0));
        }
        return out;
    }
}
