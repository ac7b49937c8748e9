package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meftspark.config.ModelSection;
import org.meftspark.config.RunConfig;
import org.meftspark.device.ComputeDevice;
import org.meftspark.generation.GenerationConfig;
import org.meftspark.generation.TextGenerator;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.ModelFolder;
import org.meftspark.model.RopeScaling;

/**
 * The families people bring (issue 19 item 2): each real config.json of conf/models/families
 * parses with its published parameter count and features, and a scaled-down random variant that
 * keeps those features (architecture, GQA group, tied head, eos list, rope scaling, sliding
 * window) runs forward, generation, and training steps of every method, whose ledger peak is what
 * {@code meft plan} predicts.
 */
public class ModelFamiliesTest {
    private static final Path FAMILIES = Path.of(System.getProperty("meft.project.root", ".."), "conf/models/families");

    /** Published parameter counts (model cards; safetensors metadata "total"). */
    private static final Map<String, Long> PARAMETERS = Map.of(
            "llama-7b", 6_738_415_616L,
            "llama-2-7b", 6_738_415_616L,
            "tinyllama-1.1b-chat-v1.0", 1_100_048_384L,
            "llama-3.1-8b", 8_030_261_248L,
            "llama-3.1-8b-instruct", 8_030_261_248L,
            "llama-3.2-1b-instruct", 1_235_814_400L,
            "llama-3.2-3b-instruct", 3_212_749_824L,
            "mistral-7b-v0.1", 7_241_732_096L,
            "mistral-7b-v0.3", 7_248_023_552L);

    @TempDir
    Path tmp;

    public static ModelConfig real(String family) {
        return ModelConfig.read(FAMILIES.resolve(family + ".json"));
    }

    /**
     * The family's features at test size: d 32, 2 layers, head_dim 8, the same query/key-value group
     * (MHA stays MHA), vocabulary 64 with as many end ids as the real list, llama3 bands kept by an
     * original context of 512 (pair 0 unchanged, 1 smoothed, 2 and 3 divided at theta 5e5), a sliding
     * window of 3 (shorter than the test sequences).
     */
    public static ModelConfig scaled(ModelConfig r) {
        int kv = r.numKeyValueHeads() == r.numAttentionHeads() ? 4 : 2;
        int heads = kv * r.groupSize();
        List<Integer> eos = new ArrayList<>();
        for (int i = 0; i < r.eosTokenIds().size(); i++) {
            eos.add(2 + i);
        }
        RopeScaling rope = r.ropeScaling().type() == RopeScaling.Type.LLAMA3
                ? new RopeScaling(RopeScaling.Type.LLAMA3, r.ropeScaling().factor(), r.ropeScaling().lowFreqFactor(),
                r.ropeScaling().highFreqFactor(), 512) : r.ropeScaling();
        return new ModelConfig(r.architecture(), 64, 32, 48, 2, heads, kv, 8, r.rmsNormEps(), r.ropeTheta(),
                Math.min(r.maxPositionEmbeddings(), 2048), r.tieWordEmbeddings(),
                r.slidingWindow().isPresent() ? OptionalInt.of(3) : OptionalInt.empty(), 1, eos, "float32", rope);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-7b", "llama-2-7b", "tinyllama-1.1b-chat-v1.0", "llama-3.1-8b", "llama-3.1-8b-instruct",
            "llama-3.2-1b-instruct", "llama-3.2-3b-instruct", "mistral-7b-v0.1", "mistral-7b-v0.3"})
    void realConfigParsesWithItsPublishedShape(String family) {
        ModelConfig m = real(family);
        assertThat(MemoryPlan.parameters(m)).isEqualTo(PARAMETERS.get(family));
        switch (family) {
            case "llama-7b", "llama-2-7b" -> assertThat(m.numKeyValueHeads()).isEqualTo(32);
            case "tinyllama-1.1b-chat-v1.0" -> assertThat(m.numKeyValueHeads()).isEqualTo(4);
            case "mistral-7b-v0.1" -> assertThat(m.slidingWindow()).hasValue(4096);
            case "mistral-7b-v0.3" -> {
                assertThat(m.slidingWindow()).isEmpty();
                assertThat(m.vocabSize()).isEqualTo(32768);
            }
            default -> { // Llama 3.x
                assertThat(m.ropeScaling().type()).isEqualTo(RopeScaling.Type.LLAMA3);
                assertThat(m.ropeScaling().originalMaxPositionEmbeddings()).isEqualTo(8192);
                assertThat(m.bosTokenId()).isEqualTo(128000);
                assertThat(m.tieWordEmbeddings()).isEqualTo(family.startsWith("llama-3.2"));
                assertThat(m.eosTokenIds()).isEqualTo(family.endsWith("instruct") ? List.of(128001, 128008, 128009) : List.of(128001));
                // the production head_dim puts frequencies in all three llama3 bands too
                assertThat(Arrays.stream(m.ropeScaling().llama3Bands(m.headDim(), m.ropeTheta())).distinct().count()).isEqualTo(3);
            }
        }
        if (family.startsWith("llama-3.2")) {
            assertThat(m.ropeScaling().factor()).isEqualTo(32.0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-7b", "llama-2-7b", "tinyllama-1.1b-chat-v1.0", "llama-3.1-8b-instruct",
            "llama-3.2-1b-instruct", "llama-3.2-3b-instruct", "mistral-7b-v0.1", "mistral-7b-v0.3"})
    void aScaledDownRandomVariantGeneratesAndTrainsEveryMethodWithinThePlan(String family) throws Exception {
        ModelConfig c = scaled(real(family));
        Path folder = tmp.resolve("model");
        ModelFolder.initRandom(c, 41, folder);
        Decoder decoder = ModelFolder.load(folder, ComputeDevice.cpu().device(), ScalarType.Float);
        assertThat(decoder.config()).isEqualTo(c);
        assertThat(decoder.weights().bytes()).isEqualTo(MemoryPlan.weightBytes(c, ModelSection.Dtype.FLOAT32));

        // Generation: every id of the end-token list stops it. The free run's third token is put at
        // each place of the list in turn (the others are ids the free run never produces).
        TextGenerator gen = new TextGenerator(decoder);
        long[] prompt = {1, 5, 9, 13, 17};
        long[] free = gen.generate(List.of(prompt), GenerationConfig.greedy(6, List.of())).get(0);
        assertThat(free).hasSize(6);
        List<Long> unused = new ArrayList<>();
        for (long id = 2; id < c.vocabSize() && unused.size() < c.eosTokenIds().size(); id++) {
            final long x = id;
            if (Arrays.stream(free).noneMatch(t -> t == x)) {
                unused.add(id);
            }
        }
        int firstAtThird = 0;
        while (free[firstAtThird] != free[2]) {
            firstAtThird++;
        }
        for (int place = 0; place < c.eosTokenIds().size(); place++) {
            List<Integer> eos = new ArrayList<>();
            for (int i = 0; i < c.eosTokenIds().size(); i++) {
                eos.add(i == place ? (int) free[2] : unused.get(i).intValue());
            }
            long[] stopped = gen.generate(List.of(prompt), GenerationConfig.greedy(6, eos)).get(0);
            assertThat(stopped).as("%s, end ids %s", family, eos).isEqualTo(Arrays.copyOf(free, firstAtThird));
        }

        // A few training steps of every method; the ledger's peak is the plan's device bytes.
        for (String method : List.of("meft", "lora", "parallel_adapter", "full")) {
            RunConfig cfg = TrainerTest.config(method, "training.max_steps=2;adapter.union_cap=8;"
                    + "adapter.lora_targets=[q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj]");
            Decoder fresh = ModelFolder.load(folder, ComputeDevice.cpu().device(), ScalarType.Float);
            Path dir = tmp.resolve(method);
            TrainingResult r = Trainer.train(cfg, fresh, TrainerTest.rows(4, 10), dir, false, TrainingListener.NONE,
                    ComputeDevice.cpu(), ScalarType.Float);
            assertThat(r.stepsDone()).isEqualTo(2);
            List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
            JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1));
            assertThat(last.get("loss").asDouble()).as(family + " " + method).isFinite().isPositive();
            MemoryPlan plan = MemoryPlan.of(cfg.adapter(), c, ModelSection.Dtype.FLOAT32, 2, 10);
            assertThat(last.get("device_bytes_peak_total").asLong()).as(family + " " + method).isEqualTo(plan.device().total());
            assertThat(last.get("device_bytes_peak").get("adapter_working_set").asLong()).isEqualTo(plan.device().workingSet());
        }
    }
}
