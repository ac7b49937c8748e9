package org.meftspark.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.safetensors.SafetensorsWriter;

class ModelFolderTest {
    @TempDir
    Path dir;

    @Test
    void saveThenLoadGivesBitIdenticalWeightsAndLogits() {
        for (ModelConfig c : new ModelConfig[] {TinyModels.llama(), TinyModels.mistral()}) {
            Decoder dec = TinyModels.decoder(c, 21, ScalarType.Float);
            Path folder = dir.resolve(c.architecture());
            ModelFolder.save(dec, folder);
            Decoder back = ModelFolder.load(folder, TinyModels.CPU, ScalarType.Float);
            assertThat(back.config()).isEqualTo(c);
            dec.weights().named(c).forEach((name, t) ->
                    assertThat(equal(back.weights().named(c).get(name), t)).as(name).isTrue());
            Tensor x = TinyModels.tokens(new long[][] {{1, 2, 3, 4}});
            assertThat(equal(back.forward(x), dec.forward(x))).isTrue();
        }
    }

    @Test
    void initRandomIsReproducibleFromTheSeedInTheConfigDtype() throws Exception {
        ModelConfig c = TinyModels.llama(); // torch_dtype float32
        ModelFolder.initRandom(c, 42, dir.resolve("a"));
        ModelFolder.initRandom(c, 42, dir.resolve("b"));
        ModelFolder.initRandom(c, 43, dir.resolve("c"));
        assertThat(Files.readAllBytes(dir.resolve("a/model.safetensors"))).isEqualTo(Files.readAllBytes(dir.resolve("b/model.safetensors")));
        assertThat(Files.readAllBytes(dir.resolve("a/model.safetensors"))).isNotEqualTo(Files.readAllBytes(dir.resolve("c/model.safetensors")));
        Decoder d = ModelFolder.load(dir.resolve("a"), TinyModels.CPU, ScalarType.BFloat16);
        assertThat(d.weights().embed.scalar_type().intern()).isEqualTo(ScalarType.BFloat16);
        assertThat(d.weights().embed.to(ScalarType.Float).std().item_double()).isBetween(0.015, 0.025);
    }

    @Test
    void everyMissingUnexpectedAndMisShapedTensorIsNamedInOneError() throws Exception {
        ModelConfig c = TinyModels.mistral();
        Decoder dec = TinyModels.decoder(c, 1, ScalarType.Float);
        Map<String, Tensor> named = new LinkedHashMap<>(dec.weights().named(c));
        named.remove("model.layers.1.mlp.up_proj.weight");
        named.remove("lm_head.weight");
        named.put("model.layers.0.self_attn.k_proj.weight", zeros(new long[] {8, 16}, new TensorOptions(ScalarType.Float)));
        named.put("model.layers.0.self_attn.q_proj.bias", zeros(new long[] {16}, new TensorOptions(ScalarType.Float)));
        named.put("model.layers.0.self_attn.rotary_emb.inv_freq", zeros(new long[] {2}, new TensorOptions(ScalarType.Float)));
        Files.writeString(dir.resolve("config.json"), c.toJson());
        SafetensorsWriter.write(dir.resolve("model.safetensors"), named);
        assertThatThrownBy(() -> ModelFolder.load(dir, TinyModels.CPU, ScalarType.Float))
                .hasMessageContaining("missing: model.layers.1.mlp.up_proj.weight [24, 16]")
                .hasMessageContaining("missing: lm_head.weight")
                .hasMessageContaining("wrong shape: model.layers.0.self_attn.k_proj.weight is [8, 16], config needs [4, 16]")
                .hasMessageContaining("unexpected: model.layers.0.self_attn.q_proj.bias")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("inv_freq"));
    }
}
