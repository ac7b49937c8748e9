package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.AdapterConfig;
import org.meftspark.config.RunConfig;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;

/** Issue 16 item 3: a checkpoint says what adapter it holds, loads without the run's configuration, refuses a mismatch. */
@Timeout(120)
class SelfDescribingCheckpointTest {
    @TempDir
    Path tmp;

    private static final long[][] PROMPT = {{1, 5, 9, 13, 17, 21}};

    private Path train(String method, String extra) {
        RunConfig c = TrainerTest.config(method, "training.max_steps=3;training.checkpoint_every=3" + extra);
        Path dir = tmp.resolve(method);
        Trainer.train(c, TrainerTest.decoder(ScalarType.Float), TrainerTest.rows(8, 10), dir, false, TrainingListener.NONE,
                ComputeDevice.cpu(), ScalarType.Float);
        return Checkpoints.latest(dir).orElseThrow();
    }

    @SuppressWarnings("try")
    private static float[] logits(Decoder d, Adaptation a) {
        try (PointerScope scope = new PointerScope(); a) {
            d.setHooks(a.hooks());
            Tensor t = org.bytedeco.pytorch.global.torch.tensor(PROMPT[0]).reshape(1, PROMPT[0].length);
            Tensor out = d.forward(t, null, null).contiguous();
            float[] v = new float[(int) out.numel()];
            out.data_ptr_float().get(v);
            return v;
        } finally {
            d.setHooks(null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora", "parallel_adapter", "meft", "full"})
    void everyMethodLoadsFromItsCheckpointAloneAsItDoesUnderItsConfiguration(String method) {
        Path c = train(method, "");
        AdapterConfig written = Checkpoints.readAdapter(c).orElseThrow();
        assertThat(written.method()).isEqualTo(method);
        assertThat(written.numHiddenLayers()).isEqualTo(TrainerTest.TINY.numHiddenLayers());
        Decoder withConfig = TrainerTest.decoder(ScalarType.Float);
        Decoder alone = TrainerTest.decoder(ScalarType.Float);
        float[] expected = logits(withConfig, TrainedAdapter.load(TrainerTest.config(method, ""), c, withConfig,
                ComputeDevice.cpu()));
        float[] got = logits(alone, TrainedAdapter.load(c, alone, ComputeDevice.cpu()));
        assertThat(got).containsExactly(expected);
        Decoder bare = TrainerTest.decoder(ScalarType.Float);
        float[] base = logits(bare, Adaptations.create(TrainerTest.config("none", "").adapter(), null, 0, bare,
                ComputeDevice.cpu(), ScalarType.Float, null));
        assertThat(got).as("the adapter changes the logits").isNotEqualTo(base);
    }

    @Test
    void aConfigurationThatDisagreesWithTheCheckpointIsRefusedByName() {
        Path c = train("lora", "");
        Decoder d = TrainerTest.decoder(ScalarType.Float);
        assertThatThrownBy(() -> TrainedAdapter.load(TrainerTest.config("lora", "adapter.lora_rank=8"), c, d,
                ComputeDevice.cpu())).hasMessageContaining("adapter.lora_rank: 4 vs 8");
        assertThatThrownBy(() -> TrainedAdapter.load(TrainerTest.config("meft", ""), c, d, ComputeDevice.cpu()))
                .hasMessageContaining("holds a 'lora' adapter but adapter.method is 'meft'");
    }

    @Test
    void aResumeWithOtherAdapterSettingsIsRefusedByName() {
        train("parallel_adapter", "");
        RunConfig more = TrainerTest.config("parallel_adapter",
                "training.max_steps=3;training.checkpoint_every=3;adapter.neurons=32");
        assertThatThrownBy(() -> Trainer.train(more, TrainerTest.decoder(ScalarType.Float), TrainerTest.rows(8, 10),
                tmp.resolve("parallel_adapter"), true, TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float))
                .hasMessageContaining("adapter.neurons: 64 vs 32");
    }

    @Test
    void aCheckpointFromBeforeAdapterJsonLoadsWithItsConfigurationAndSaysHowToConvertWithout() throws Exception {
        Path c = train("meft", "");
        // What a checkpoint of 2026-12-04 looks like: no adapter.json and no line for it in SHA256SUMS.
        Files.delete(c.resolve(AdapterConfig.FILE));
        Files.write(c.resolve(Checkpoints.SUMS), Files.readAllLines(c.resolve(Checkpoints.SUMS)).stream()
                .filter(l -> !l.endsWith(AdapterConfig.FILE)).toList());
        assertThat(Checkpoints.readAdapter(c)).isEmpty();
        Decoder d = TrainerTest.decoder(ScalarType.Float);
        TrainedAdapter.load(TrainerTest.config("meft", ""), c, d, ComputeDevice.cpu()).close();
        assertThatThrownBy(() -> TrainedAdapter.load(c, d, ComputeDevice.cpu()))
                .hasMessageContaining("written before checkpoints described their adapter")
                .hasMessageContaining("convert the checkpoint by resuming its run");
        // ... and such a checkpoint still resumes (its run fields are checked as before).
        RunConfig longer = TrainerTest.config("meft", "training.max_steps=3;training.checkpoint_every=3");
        assertThat(Trainer.train(longer, d, TrainerTest.rows(8, 10), tmp.resolve("meft"), true, TrainingListener.NONE,
                ComputeDevice.cpu(), ScalarType.Float).stepsDone()).isEqualTo(3);
    }

    @Test
    void theDescriptionUsesTheConfigurationsOwnNamesAndRoundTrips() throws Exception {
        Path c = train("meft", "");
        String json = Files.readString(c.resolve(AdapterConfig.FILE));
        assertThat(json).contains("\"method\" : \"meft\"", "\"top_k\" : 8", "\"routing\" : \"key_experts\"",
                "\"union_cap\" : 64", "\"num_hidden_layers\" : 2");
        AdapterConfig read = AdapterConfig.read(c.resolve(AdapterConfig.FILE));
        assertThat(read.adapter()).isEqualTo(TrainerTest.config("meft", "").adapter());
        assertThat(read.differences(read)).isEmpty();
    }
}
