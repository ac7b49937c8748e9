package org.meftspark.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.device.ComputeDevice;
import org.meftspark.tokenize.TokenizedExample;

/**
 * The training process that {@link CrashResumeTest} kills with SIGKILL: MEFT on {@code embedded:tiny-llama}
 * with byte-tokenizer ids, on CPU, checkpointing every 2 steps. It resumes whenever
 * {@code checkpoints/latest} exists, exactly as an operator re-running a killed job would.
 * Args: runDir steps neurons.
 */
public final class CrashResumeChild {
    private CrashResumeChild() {
    }

    static RunConfig config(int steps, int neurons) {
        String yaml = """
                run: {seed: 23}
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                adapter: {method: meft, neurons: %d, top_k: 8, n_probe: 4, union_cap: 64}
                training:
                  device: cpu
                  learning_rate: 0.01
                  micro_batch_size: 2
                  gradient_accumulation: 2
                  max_steps: %d
                  checkpoint_every: 2
                  lr_schedule: cosine
                  warmup_steps: 3
                """.formatted(neurons, steps);
        return RunConfigLoader.parse(yaml, "crash-resume", List.of());
    }

    /** Byte-tokenizer sequences: BOS, 15 bytes, EOS; the first 4 tokens are the prompt. */
    static List<TokenizedExample> rows() {
        Random r = new Random(11);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int[] ids = new int[17];
            ids[0] = 256;
            for (int j = 1; j < 16; j++) {
                ids[j] = 'a' + r.nextInt(26);
            }
            ids[16] = 257;
            out.add(new TokenizedExample("c" + i, "crash", "train", ids, 4, List.of(), "crash:" + i, 0));
        }
        return out;
    }

    public static void main(String[] args) {
        Path runDir = Path.of(args[0]);
        RunConfig c = config(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        boolean resume = Checkpoints.latest(runDir).isPresent();
        Trainer.train(c, org.meftspark.model.BaseModels.load(c.model(), ComputeDevice.cpu()), rows(), runDir, resume, TrainingListener.NONE,
                ComputeDevice.cpu(), ScalarType.Float);
        System.exit(0); // libtorch threads must not keep the JVM alive
    }
}
