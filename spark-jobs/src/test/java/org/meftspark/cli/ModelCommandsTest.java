package org.meftspark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.from_blob;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.generation.GenerationConfig;
import org.meftspark.generation.TextGenerator;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelFolder;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.tokenize.ByteTokenizer;
import picocli.CommandLine;

/** init-model, logits and generate agree with the library calls they wrap. */
class ModelCommandsTest {

    @TempDir
    static Path dir;
    static Path model;

    /** Runs {@code meft ARGS} in this JVM, asserts its exit code, and returns {stdout, stderr}. */
    static String[] meft(int expectedCode, String... args) {
        CommandLine cl = Meft.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertThat(code).as("stdout: %s%nstderr: %s", out, err).isEqualTo(expectedCode);
        return new String[] {out.toString(), err.toString()};
    }

    @BeforeAll
    static void initModel() {
        model = dir.resolve("tiny");
        Path config = LaunchEnvironment.current().root().resolve("conf/models/tiny-llama.json");
        assertThat(meft(0, "init-model", "--config", config.toString(), "--out", model.toString(), "--seed", "7")[0])
                .contains("LlamaForCausalLM, 2 layers");
    }

    @Test
    void initModelRefusesToOverwriteWithoutForce() {
        Path config = LaunchEnvironment.current().root().resolve("conf/models/tiny-llama.json");
        assertThat(meft(2, "init-model", "--config", config.toString(), "--out", model.toString())[1])
                .contains("already holds a model").contains("--force");
    }

    @Test
    void logitsFileHoldsTheForwardPassOfEveryPosition() throws Exception {
        Path npy = dir.resolve("logits.npy");
        meft(0, "logits", "--model", model.toString(), "--tokens", "256,72,105,33", "--out", npy.toString());
        byte[] bytes = Files.readAllBytes(npy);
        int headerLength = 10 + (ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff);
        String header = new String(bytes, 10, headerLength - 10, java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(header).contains("'shape': (4, 259)");
        assertThat(bytes.length - headerLength).isEqualTo(4 * 259 * 4);
        float[] fromFile = new float[4 * 259];
        ByteBuffer.wrap(bytes, headerLength, bytes.length - headerLength).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .get(fromFile);

        Decoder d = ModelFolder.load(model, new Device(DeviceType.CPU), ScalarType.Float);
        float[] expected = new float[4 * 259];
        try (NoGradGuard g = new NoGradGuard()) {
            var ids = from_blob(new LongPointer(new long[] {256, 72, 105, 33}), new long[] {1, 4},
                    new TensorOptions(ScalarType.Long)).clone();
            new FloatPointer(d.forward(ids).contiguous().data_ptr()).capacity(expected.length).get(expected);
        }
        assertThat(fromFile).containsExactly(expected);
    }

    @Test
    void logitsRefusesIdsOutsideTheVocabulary() {
        assertThat(meft(2, "logits", "--model", model.toString(), "--tokens", "1,259", "--out",
                dir.resolve("x.npy").toString())[1]).contains("token id 259 is outside the vocabulary [0, 259)");
        assertThat(dir.resolve("x.npy")).doesNotExist();
    }

    @Test
    void generatePrintsTheGreedyContinuation() {
        String printed = meft(0, "generate", "--model", model.toString(), "--tokenizer", "byte", "--prompt", "Hi",
                "--max-new-tokens", "6")[0];
        Decoder d = ModelFolder.load(model, new Device(DeviceType.CPU), ScalarType.Float);
        long[] out = new TextGenerator(d).generate(List.of(new long[] {ByteTokenizer.BOS, 'H', 'i'}),
                GenerationConfig.greedy(6, List.of(ByteTokenizer.EOS))).get(0);
        try (ByteTokenizer t = new ByteTokenizer()) {
            assertThat(printed).isEqualTo(t.decode(Arrays.stream(out).mapToInt(Math::toIntExact).toArray()) + "\n");
        }
    }

    @Test
    void generateTakesAnEmbeddedModelWithItsOwnTokenizer() {
        // embedded:tiny-llama's own tokenizer is the byte tokenizer: the same ids as the library call.
        String printed = meft(0, "generate", "--model", "embedded:tiny-llama", "--prompt", "Hi", "--max-new-tokens", "4")[0];
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            Decoder d = org.meftspark.model.EmbeddedModels.load(org.meftspark.model.EmbeddedModels.TINY_LLAMA,
                    org.meftspark.device.ComputeDevice.cpu().device(), org.bytedeco.pytorch.global.torch.ScalarType.Float);
            long[] out = new TextGenerator(d).generate(List.of(new long[] {ByteTokenizer.BOS, 'H', 'i'}),
                    GenerationConfig.greedy(4, List.of(ByteTokenizer.EOS))).get(0);
            assertThat(printed.stripTrailing()).isEqualTo(new ByteTokenizer().decode(
                    java.util.Arrays.stream(out).mapToInt(Math::toIntExact).toArray()).stripTrailing());
        }
        assertThat(meft(2, "generate", "--prompt", "Hi")[1]).contains("give --model");
        assertThat(meft(2, "generate", "--model", "embedded:tiny-llama", "--checkpoint", "x", "--prompt", "Hi")[1])
                .contains("--checkpoint x is not a checkpoint folder");
    }

    @Test
    void generateTakesACheckpointAloneBecauseItDescribesItsAdapter() throws Exception {
        org.meftspark.config.RunConfig c = org.meftspark.config.RunConfigLoader.parse("""
                model: {path: embedded:tiny-llama}
                adapter: {method: lora, lora_rank: 4, lora_dropout: 0.0}
                training: {max_steps: 2, micro_batch_size: 2, checkpoint_every: 2, learning_rate: 0.05}
                """, "test", List.of());
        List<org.meftspark.tokenize.TokenizedExample> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(new org.meftspark.tokenize.TokenizedExample("r" + i, "test", "train",
                    new int[] {ByteTokenizer.BOS, 'H', 'i', 'a' + i, 'b', 'c'}, 3, List.of(), "t:" + i, 0));
        }
        Path run = dir.resolve("checkpoint-alone");
        org.meftspark.train.Trainer.train(c, org.meftspark.model.BaseModels.load(c.model(),
                org.meftspark.device.ComputeDevice.cpu()), rows, run, false, null, org.meftspark.device.ComputeDevice.cpu(),
                ScalarType.Float);
        Path checkpoint = org.meftspark.train.Checkpoints.latest(run).orElseThrow();
        // No --model and no --adapter: the base and the adapter both come from the checkpoint's adapter.json.
        String alone = meft(0, "generate", "--checkpoint", checkpoint.toString(), "--prompt", "Hi", "--max-new-tokens", "4")[0];
        assertThat(alone).isNotBlank();
        assertThat(meft(0, "generate", "--model", "embedded:tiny-llama", "--checkpoint", checkpoint.toString(),
                "--prompt", "Hi", "--max-new-tokens", "4")[0]).isEqualTo(alone);
        // A checkpoint from before adapter.json cannot say what it holds: the message says what to add.
        Files.delete(checkpoint.resolve("adapter.json"));
        assertThat(meft(2, "generate", "--checkpoint", checkpoint.toString(), "--prompt", "Hi")[1])
                .contains("has no adapter.json", "add --adapter RUN_DIR/variants/NAME");
    }

    @Test
    void generateAdapterRefusesWhatIsNotAVariantOfARunAndSaysWhy() throws Exception {
        assertThat(meft(2, "generate", "--adapter", dir.toString(), "--prompt", "Hi")[1])
                .contains("give a variant folder of a run, RUN_DIR/variants/NAME");
        Path run = dir.resolve("fake-run");
        Files.createDirectories(run.resolve("variants/nope"));
        assertThat(meft(2, "generate", "--adapter", run.resolve("variants/nope").toString(), "--prompt", "Hi")[1])
                .contains("has no config.yaml and run.json");
        Files.writeString(run.resolve("config.yaml"), "model: {path: \"embedded:tiny-llama\"}\nadapter: {method: lora}\n");
        Files.writeString(run.resolve("run.json"), "{\"overrides\": []}");
        assertThat(meft(2, "generate", "--adapter", run.resolve("variants/nope").toString(), "--prompt", "Hi")[1])
                .contains("the run has no variant 'nope'; its variants are [lora]");
    }

    @Test
    void generateWithoutATokenizerSaysWhatToPass() {
        assertThat(meft(2, "generate", "--model", model.toString(), "--prompt", "Hi")[1])
                .contains("has no tokenizer.json; pass --tokenizer byte");
    }
}
