package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelFolder;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.HfTokenizer;

/**
 * {@code meft pretrain} (issue 15 item 1) on a tiny world and the tiny architecture: a run whose JVM
 * dies between two checkpoints and is started again writes the same model folder, byte for byte, as
 * a run that was never interrupted; the folder is a complete Hugging Face folder.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PretrainResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aPretrainingKilledBetweenCheckpointsResumesToTheSameWeights() throws Exception {
        Path config = tmp.resolve("pretrain.yaml");
        Path root = CrashResumeTest.jvmConfig().getParent().getParent();
        Files.writeString(config, """
                run: {name: tiny, dir: unused, seed: 5}
                pretrain: {world_seed: 3, base_towns: 6, passage_only_towns: 2, passages_per_town: 2, math_problems: 4,
                           tool_queries: 2, architecture: "%s", init_seed: 9, init_std: 0.1}
                data: {max_length: 768}
                model: {tokenizer: byte}
                adapter: {method: full}
                training: {device: cpu, learning_rate: 0.003, micro_batch_size: 4, gradient_accumulation: 1,
                           max_steps: 16, warmup_steps: 2, checkpoint_every: 4, lr_schedule: cosine, length_grouping: true}
                """.formatted(root.resolve("conf/models/tiny-llama.json")));

        assertThat(run(config, "whole", -1)).as(() -> log("whole")).isZero();
        assertThat(run(config, "killed", 10)).as("the halted child's exit code").isEqualTo(137);
        assertThat(tmp.resolve("killed/model")).doesNotExist();
        assertThat(tmp.resolve("killed/run/train/checkpoints/step-00000008")).isDirectory();
        assertThat(run(config, "killed", -1)).as(() -> log("killed")).isZero();

        Path whole = tmp.resolve("whole/model");
        Path resumed = tmp.resolve("killed/model");
        assertThat(Files.readAllBytes(resumed.resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(whole.resolve("model.safetensors")));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
                "pretrain.json")) {
            assertThat(resumed.resolve(f)).as(f).isNotEmptyFile();
        }
        JsonNode a = JSON.readTree(whole.resolve("pretrain.json").toFile());
        JsonNode b = JSON.readTree(resumed.resolve("pretrain.json").toFile());
        assertThat(b.get("steps").asLong()).isEqualTo(16);
        assertThat(b.get("first_losses")).isEqualTo(a.get("first_losses"));
        assertThat(b.get("weights_sha256")).isEqualTo(a.get("weights_sha256"));
        assertThat(b.get("weights_sha256").asText()).isEqualTo(org.meftspark.hash.Sha256.hex(resumed.resolve("model.safetensors")));
        assertThat(b.get("rows").get("nq_open").asInt()).isEqualTo(4 * 5 * 6);
        assertThat(b.get("rows").get("passage").asInt()).isEqualTo(6 * 2);
        assertThat(b.get("final_losses").get("nq_open").asDouble()).isPositive();

        // A Hugging Face folder the project (and transformers) can load, with the byte tokenizer's ids.
        Decoder d = ModelFolder.load(resumed, ComputeDevice.cpu().device(), ScalarType.Float);
        assertThat(d.config().numHiddenLayers()).isEqualTo(2);
        assertThat(HfTokenizer.load(resumed).encode("Filus?").ids()).isEqualTo(new ByteTokenizer().encode("Filus?").ids());
    }

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name + ".log"));
        } catch (java.io.IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private int run(Path config, String name, long haltAt) throws Exception {
        Path dir = tmp.resolve(name);
        List<String> cmd = new ArrayList<>(CrashResumeTest.childJvm("1g", PretrainChild.class, config.toString(),
                dir.resolve("run").toString(), dir.resolve("model").toString()));
        if (haltAt > 0) {
            cmd.add(1, "-Dmeft.test.haltAtStep=" + haltAt);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve(name + ".log").toFile())).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("pretraining child finished within 120 s").isTrue();
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }
}
