package org.meftspark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.meftspark.model.ModelConfig;

/**
 * The PyTorch eager peer of the model benchmark (issue 20 item 1): {@code bench/peer/llama_throughput.py}
 * run by {@code /usr/bin/python3} on the same architecture, batch and thread count. Skipped, with the
 * reason, when that Python has no torch.
 */
public final class PyTorchPeer {
    /** The interpreter the peer runs on: Debian's, where python3-torch installs. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** The peer script, relative to the project root (bin/meft runs there). */
    public static final Path SCRIPT = Path.of("bench/peer/llama_throughput.py");

    private PyTorchPeer() {
    }

    /**
     * @param forwardTokensPerSec forward tokens/s
     * @param trainTokensPerSec   forward+backward tokens/s (every weight trainable)
     * @param torch               torch version
     * @param blas                the BLAS library the process loaded ("openblas", or what it found)
     */
    public record Result(double forwardTokensPerSec, double trainTokensPerSec, String torch, String blas) {
    }

    /** Why the peer cannot run here, or empty when it can. */
    public static Optional<String> unavailable(Path root) {
        if (!Files.isExecutable(PYTHON)) {
            return Optional.of(PYTHON + " not found");
        }
        if (!Files.isRegularFile(root.resolve(SCRIPT))) {
            return Optional.of(root.resolve(SCRIPT) + " not found (run from the project root)");
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.empty()
                    : Optional.of(PYTHON + " has no torch (apt-get install python3-torch libopenblas0-pthread)");
        } catch (IOException | InterruptedException e) {
            return Optional.of(PYTHON + " did not run: " + e.getMessage());
        }
    }

    /** The adapter-step peer (bench/peer/adapter_step.py): median step seconds of {@code method}'s step. */
    public static double adapterStepSeconds(Path root, String method, ModelConfig c, int batch, int seq, int steps,
                                            int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), root.resolve("bench/peer/adapter_step.py").toString(),
                "--method", method, "--layers", "" + c.numHiddenLayers(), "--d", "" + c.hiddenSize(),
                "--heads", "" + c.numAttentionHeads(), "--ffn", "" + c.intermediateSize(), "--vocab", "" + c.vocabSize(),
                "--batch", "" + batch, "--seq", "" + seq, "--steps", "" + steps, "--threads", "" + threads));
        return json(cmd, threads).path("step_s").asDouble();
    }

    /** The greedy-generation peer (bench/peer/greedy_generate.py): answer tokens/s with a KV cache. */
    public static double greedyTokensPerSec(Path root, ModelConfig c, int prompts, int promptTokens, int newTokens,
                                            int batch, int reps, int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), root.resolve("bench/peer/greedy_generate.py").toString(),
                "--layers", "" + c.numHiddenLayers(), "--d", "" + c.hiddenSize(), "--heads", "" + c.numAttentionHeads(),
                "--ffn", "" + c.intermediateSize(), "--vocab", "" + c.vocabSize(), "--prompts", "" + prompts,
                "--prompt-tokens", "" + promptTokens, "--new-tokens", "" + newTokens, "--batch", "" + batch,
                "--reps", "" + reps, "--threads", "" + threads));
        return json(cmd, threads).path("answer_tokens_per_s").asDouble();
    }

    /** Runs the peer on {@code c}'s architecture; fails when the script does. */
    public static Result run(Path root, ModelConfig c, int batch, int seq, int reps, int threads, long seed)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), root.resolve(SCRIPT).toString(),
                "--layers", "" + c.numHiddenLayers(), "--d", "" + c.hiddenSize(), "--heads", "" + c.numAttentionHeads(),
                "--ffn", "" + c.intermediateSize(), "--vocab", "" + c.vocabSize(), "--batch", "" + batch, "--seq", "" + seq,
                "--reps", "" + reps, "--threads", "" + threads, "--seed", "" + seed));
        JsonNode j = json(cmd, threads);
        return new Result(j.path("forward_tokens_per_s").asDouble(), j.path("train_tokens_per_s").asDouble(),
                j.path("torch").asText(), j.path("blas").asText());
    }

    /** Runs a peer script and parses its last output line. */
    private static JsonNode json(List<String> cmd, int threads) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "" + threads);
        pb.environment().put("OPENBLAS_NUM_THREADS", "" + threads);
        // The peer runs as users run PyTorch: without the malloc settings conf/runtime.env gives this project's JVMs.
        pb.environment().remove("GLIBC_TUNABLES");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("the PyTorch peer failed: " + String.join(" ", cmd) + "\n" + out);
        }
        return new ObjectMapper().readTree(out.strip().lines().reduce((a, b) -> b).orElse(""));
    }
}
