package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;
import org.meftspark.tokenize.TokenizedExample;

/** The training loop end to end on a tiny model: memorisation per method, resume, accumulation. */
class TrainerTest {
    static final ModelConfig TINY = new ModelConfig(ModelConfig.LLAMA, 40, 16, 32, 2, 4, 2, 4, 1e-5, 10000.0, 64, true,
            OptionalInt.empty(), 1, List.of(2), "float32");

    @TempDir
    Path tmp;

    static Decoder decoder(ScalarType dtype) {
        return new Decoder(TINY, DecoderWeights.random(TINY, 7, 0.3, 0.0, ComputeDevice.cpu().device(), dtype));
    }

    /** Sequences of random tokens: a 3-token prompt and 7 targets to memorise. */
    static List<TokenizedExample> rows(int n, int length) {
        Random r = new Random(5);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[length];
            ids[0] = 1;
            for (int j = 1; j < length; j++) {
                ids[j] = 3 + r.nextInt(37);
            }
            out.add(new TokenizedExample("r" + i, "test", "train", ids, 3, List.of(), "mem:" + i, 0));
        }
        return out;
    }

    static RunConfig config(String method, String extra) {
        String yaml = """
                run: {seed: 17}
                adapter:
                  method: %s
                  neurons: 64
                  top_k: 8
                  expert_factor: 1.0
                  n_probe: 4
                  union_cap: 64
                  lora_rank: 4
                  lora_dropout: 0.0
                  lora_targets: [q_proj, v_proj, down_proj]
                  init_std: 0.3
                training:
                  learning_rate: 0.01
                  micro_batch_size: 2
                  gradient_accumulation: 2
                  max_steps: 40
                  checkpoint_every: 0
                  lr_schedule: constant
                """.formatted(method);
        return RunConfigLoader.parse(yaml, "test", extra.isEmpty() ? List.of() : List.of(extra.split(";")));
    }

    static List<Double> losses(Path runDir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            out.add(json.readTree(line).get("loss").asDouble());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"meft", "lora", "parallel_adapter", "full"})
    void aShortMemorisationRunLowersTheLossWellBelowItsStart(String method) throws Exception {
        Path dir = tmp.resolve(method);
        TrainingResult r = Trainer.train(config(method, ""), decoder(ScalarType.Float), rows(4, 10), dir, false,
                TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
        List<Double> l = losses(dir);
        assertThat(r.stepsDone()).isEqualTo(40);
        assertThat(l).hasSize(40);
        assertThat(l.get(l.size() - 1)).as("%s: last loss vs first %s", method, l.get(0)).isLessThan(0.5 * l.get(0));
        assertThat(r.checkpoint()).isNotNull();
        assertThat(Files.exists(r.checkpoint().resolve("trainable.safetensors"))).isTrue();
        if (method.equals("lora")) {
            assertThat(Files.exists(dir.resolve("peft/adapter_model.safetensors"))).isTrue();
            JsonNode cfg = new ObjectMapper().readTree(dir.resolve("peft/adapter_config.json").toFile());
            assertThat(cfg.get("peft_type").asText()).isEqualTo("LORA");
            assertThat(cfg.get("r").asInt()).isEqualTo(4);
        }
    }

    @Test
    void meftMetricsCarryTheActiveSetTimeSplitAndMemory() throws Exception {
        Path dir = tmp.resolve("m");
        Trainer.train(config("meft", "training.max_steps=2;adapter.union_cap=8"), decoder(ScalarType.Float), rows(4, 10), dir, false,
                TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
        JsonNode m = new ObjectMapper().readTree(Files.readAllLines(dir.resolve("metrics.jsonl")).get(1));
        assertThat(m.get("active_set_size").size()).isEqualTo(2);
        assertThat(m.get("active_set_size").get(0).asDouble()).isLessThanOrEqualTo(8.0).isGreaterThan(0);
        assertThat(m.get("cap_hits").get(0).asLong()).isEqualTo(2); // 2 micro-batches, 20 tokens x 8 > 8 rows each
        assertThat(m.get("neurons_touched").asLong()).isGreaterThan(0);
        assertThat(m.get("host_bytes").asLong()).isGreaterThan(0);
        assertThat(m.get("device_bytes_peak").get("adapter_working_set").asLong()).isEqualTo(2L * 8 * 16 * 4 * 4); // 2 layers x 8 rows x d 16 x fp32 x (keys, values, 2 grads)
        for (String k : List.of("retrieval_s", "transfer_s", "host_update_s", "compute_s", "tokens_per_s", "lr")) {
            assertThat(m.has(k)).as(k).isTrue();
        }
    }

    /** Final trainable state of a run, read back from its last checkpoint. */
    static Map<String, Tensor> finalState(Path runDir) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        Checkpoints.readTensors(Checkpoints.latest(runDir).orElseThrow(), m -> m.forEach((k, v) -> out.put(k, v.clone())));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"meft", "lora"})
    void aRunStoppedAtStep7Of20AndResumedEndsWithBitIdenticalWeights(String method) {
        // a small cap makes MEFT draw seeded subsets; LoRA dropout draws from the reseeded global generator
        String extra = "training.max_steps=20;training.checkpoint_every=5;adapter.union_cap=10;adapter.lora_dropout=0.2;"
                + "training.lr_schedule=cosine;training.warmup_steps=3";
        List<TokenizedExample> data = rows(6, 10);
        Path whole = tmp.resolve("whole"), parts = tmp.resolve("parts");
        Trainer.train(config(method, extra), decoder(ScalarType.Float), data, whole, false, TrainingListener.NONE,
                ComputeDevice.cpu(), ScalarType.Float);
        TrainingResult first = Trainer.train(config(method, extra), decoder(ScalarType.Float), data, parts, false,
                new TrainingListener() {
                    @Override
                    public boolean shouldStop(long stepsDone) {
                        return stepsDone == 7;
                    }
                }, ComputeDevice.cpu(), ScalarType.Float);
        assertThat(first.stopped()).isTrue();
        assertThat(first.stepsDone()).isEqualTo(7);
        assertThat(first.checkpoint().getFileName().toString()).isEqualTo("step-00000007");
        TrainingResult second = Trainer.train(config(method, extra), decoder(ScalarType.Float), data, parts, true,
                TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
        assertThat(second.stepsDone()).isEqualTo(20);
        try {
            List<String> lines = Files.readAllLines(parts.resolve("metrics.jsonl"));
            assertThat(lines).hasSize(20);
            assertThat(new ObjectMapper().readTree(lines.get(7)).get("step").asLong()).isEqualTo(8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, Tensor> a = finalState(whole), b = finalState(parts);
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String k : a.keySet()) {
            assertThat(a.get(k).equal(b.get(k))).as(k).isTrue();
        }
        assertThat(a.get(a.keySet().iterator().next()).abs().sum().item_double()).isGreaterThan(0);
    }

    @Test
    void gradientAccumulationOverFourMicroBatchesEqualsOneBatchOfFourTimesTheSize() {
        List<TokenizedExample> data = rows(4, 9);
        String common = "training.max_steps=1;training.shuffle=false;adapter.routing=exact;adapter.union_cap=100000;"
                + "training.max_grad_norm=0";
        Path a = tmp.resolve("acc"), b = tmp.resolve("big");
        Trainer.train(config("meft", common + ";training.micro_batch_size=1;training.gradient_accumulation=4"),
                decoder(ScalarType.Double), data, a, false, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Double);
        Trainer.train(config("meft", common + ";training.micro_batch_size=4;training.gradient_accumulation=1"),
                decoder(ScalarType.Double), data, b, false, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Double);
        Map<String, Tensor> x = finalState(a), y = finalState(b);
        for (String k : x.keySet()) {
            if (x.get(k).scalar_type().intern() == ScalarType.Double) {
                assertThat(x.get(k).sub(y.get(k)).abs().max().item_double()).as(k).isLessThan(1e-12);
            } else {
                assertThat(x.get(k).equal(y.get(k))).as(k).isTrue();
            }
        }
        assertThat(x.get("meft.layers.0.values").abs().max().item_double()).isGreaterThan(1e-4);
    }

    @Test
    void aSecondRunIntoTheSameDirectoryWithoutResumeIsRefused() {
        Path dir = tmp.resolve("again");
        Trainer.train(config("lora", "training.max_steps=1"), decoder(ScalarType.Float), rows(2, 6), dir, false,
                TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
        assertThatThrownBy(() -> Trainer.train(config("lora", "training.max_steps=1"), decoder(ScalarType.Float), rows(2, 6), dir,
                false, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float))
                .hasMessageContaining("already holds a run");
    }

    @Test
    void resumingAFinishedLoraRunReplacesItsPeftExportWholeAndRemovesExportLeftovers() throws Exception {
        Path dir = tmp.resolve("export-again");
        RunConfig c = config("lora", "training.max_steps=2");
        Trainer.train(c, decoder(ScalarType.Float), rows(2, 6), dir, false, TrainingListener.NONE, ComputeDevice.cpu(),
                ScalarType.Float);
        byte[] tensors = Files.readAllBytes(dir.resolve("peft/adapter_model.safetensors"));
        byte[] cfg = Files.readAllBytes(dir.resolve("peft/adapter_config.json"));
        // What a killed export leaves: a staging folder holding a partial file, and an earlier export moved aside.
        Files.createDirectories(dir.resolve(".peft-staging-1"));
        Files.write(dir.resolve(".peft-staging-1/adapter_model.safetensors"), new byte[100]);
        Files.createDirectories(dir.resolve(".peft-old-2"));
        Files.write(dir.resolve(".peft-old-2/adapter_config.json"), new byte[] {'{'});
        Files.write(dir.resolve("peft/stale-file"), new byte[1]);

        // No step is left: the resume only exports again, swapping the earlier peft/ out whole.
        Trainer.train(c, decoder(ScalarType.Float), rows(2, 6), dir, true, TrainingListener.NONE, ComputeDevice.cpu(),
                ScalarType.Float);
        try (java.util.stream.Stream<Path> s = Files.list(dir.resolve("peft"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("adapter_model.safetensors",
                    "adapter_config.json");
        }
        assertThat(Files.readAllBytes(dir.resolve("peft/adapter_model.safetensors"))).isEqualTo(tensors);
        assertThat(Files.readAllBytes(dir.resolve("peft/adapter_config.json"))).isEqualTo(cfg);
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))).isEmpty();
        }
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).hasSize(2);
    }

    @Test
    void nanStepsAreSkippedCountedAndStopTheRunAfterMaxBadSteps() throws Exception {
        Decoder broken = decoder(ScalarType.Float);
        broken.weights().finalNorm.fill_(new org.bytedeco.pytorch.Scalar(Double.NaN));
        Path dir = tmp.resolve("nan");
        assertThatThrownBy(() -> Trainer.train(config("parallel_adapter", "training.max_bad_steps=3"), broken, rows(4, 10), dir,
                false, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float))
                .hasMessageContaining("4 consecutive steps had NaN/Inf");
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(4);
        JsonNode last = new ObjectMapper().readTree(lines.get(3));
        assertThat(last.get("skipped").asBoolean()).isTrue();
        assertThat(last.get("bad_steps").asLong()).isEqualTo(4);
        assertThat(last.get("loss").asText()).isEqualTo("NaN");
    }

    @Test
    void progressIsABarOnATerminalAndLogLinesOtherwise() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new java.io.PrintStream(bytes, true), false, 2);
        Trainer.train(config("lora", "training.max_steps=4"), decoder(ScalarType.Float), rows(2, 6), tmp.resolve("p"), false, p,
                ComputeDevice.cpu(), ScalarType.Float);
        String text = bytes.toString();
        assertThat(text).contains("step 2/4 loss").contains("step 4/4 loss").doesNotContain("step 3/4").doesNotContain("\r");
        assertThat(text).contains("training ended after 4 of 4 steps");
    }

    @Test
    void overlappingHostUpdatesWithTheNextForwardChangesNoBit() {
        List<TokenizedExample> data = rows(6, 10);
        String extra = "training.max_steps=6;adapter.union_cap=12;training.optimizer_mode=lazy";
        Path on = tmp.resolve("on"), off = tmp.resolve("off");
        Trainer.train(config("meft", extra + ";training.overlap_host_update=true"), decoder(ScalarType.Float), data, on, false,
                TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
        Trainer.train(config("meft", extra + ";training.overlap_host_update=false"), decoder(ScalarType.Float), data, off, false,
                TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float);
        Map<String, Tensor> a = finalState(on), b = finalState(off);
        for (String k : a.keySet()) {
            assertThat(a.get(k).equal(b.get(k))).as(k).isTrue();
        }
    }

    @Test
    void runReadsTheTrainSplitOfAShardSetAndTrainsTheEmbeddedModel() throws Exception {
        org.meftspark.shard.LocalShardStore store = new org.meftspark.shard.LocalShardStore(tmp.resolve("shards"));
        org.meftspark.shard.ManifestBuilder mb = new org.meftspark.shard.ManifestBuilder(new org.meftspark.tokenize.ByteTokenizer(),
                org.meftspark.prompt.PromptTemplates.builtIn());
        try (org.meftspark.shard.ShardSetWriter w = new org.meftspark.shard.ShardSetWriter(store, mb, 5, 3, 1 << 20)) {
            Random r = new Random(1);
            for (int i = 0; i < 12; i++) {
                int[] ids = new int[8];
                ids[0] = 256;
                for (int j = 1; j < 8; j++) {
                    ids[j] = r.nextInt(256);
                }
                ids[7] = 257;
                w.write(new TokenizedExample("x" + i, "gsm8k", i % 4 == 0 ? "dev" : "train", ids, 3, List.of(), "f:" + i, 0));
            }
            w.finish();
        }
        RunConfig c = RunConfigLoader.parse("training: {max_steps: 2, micro_batch_size: 3, gradient_accumulation: 2}", "test", List.of());
        List<Long> rowsSeen = new ArrayList<>();
        TrainingResult res = Trainer.run(c, store, tmp.resolve("run"), false, new TrainingListener() {
            @Override
            public void onStart(TrainingRun run) {
                rowsSeen.add(run.rows());
            }
        });
        assertThat(rowsSeen).containsExactly(9L); // the 3 dev rows are not trained on
        assertThat(res.stepsDone()).isEqualTo(2);
        assertThat(Double.isFinite(res.lastLoss())).isTrue();
    }
}
