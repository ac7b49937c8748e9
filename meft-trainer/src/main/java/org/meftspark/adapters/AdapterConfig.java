package org.meftspark.adapters;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.meftspark.config.AdapterSection;
import org.meftspark.model.ModelConfig;

/**
 * What an adapter checkpoint holds, saved beside its tensors ({@code adapter.json}, as PEFT saves
 * {@code adapter_config.json} beside the weights): the method and every adapter setting under the
 * configuration's own key names, the base shape it was trained on and the seed its draws came from.
 * A checkpoint that carries it loads without the run's configuration, and a configuration that
 * disagrees with it is refused by name ({@link #differences}).
 *
 * @param format          {@value #FORMAT}; a later layout raises it
 * @param method          {@code adapter.method} in lower case
 * @param baseModel       {@code model.path} of the run (where the frozen base came from)
 * @param numHiddenLayers layers of the base
 * @param hiddenSize      d of the base
 * @param seed            {@code run.seed}: MEFT's cap subsets at inference derive from it
 * @param adapter         the {@code adapter} section as trained
 */
public record AdapterConfig(int format, String method, String baseModel, int numHiddenLayers, int hiddenSize, long seed,
                            AdapterSection adapter) {

    /** The layout this code writes and reads. */
    public static final int FORMAT = 1;
    /** The file in a checkpoint folder. */
    public static final String FILE = "adapter.json";

    /** snake_case names and lower-case choices, as in a run's YAML. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .addModule(new SimpleModule().addSerializer(new LowerCaseEnums()))
            .build();

    /** The description of a run's adapter on its base. */
    public static AdapterConfig of(AdapterSection adapter, ModelConfig model, String baseModel, long seed) {
        return new AdapterConfig(FORMAT, adapter.method().name().toLowerCase(Locale.ROOT), baseModel,
                model.numHiddenLayers(), model.hiddenSize(), seed, adapter);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the adapter description: " + e.getMessage(), e);
        }
    }

    /** Reads {@code adapter.json}; a later format is refused (this code would misread it). */
    public static AdapterConfig read(Path file) {
        AdapterConfig c;
        try {
            c = JSON.readValue(file.toFile(), AdapterConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the adapter description: " + e.getMessage(), e);
        }
        if (c.format() != FORMAT || c.adapter() == null) {
            throw new IllegalArgumentException(file + " has format " + c.format() + "; this meft-spark reads format "
                    + FORMAT + ". Use the meft-spark version that wrote it");
        }
        return c;
    }

    /**
     * What differs from {@code other} among the settings that decide the tensors' shapes and what they
     * compute, as "key: here vs there" lines; empty when they agree. Not compared: the host memory
     * budget (a property of the machine) and LoRA dropout (training only).
     */
    public List<String> differences(AdapterConfig other) {
        List<String> d = new ArrayList<>();
        AdapterSection a = adapter, b = other.adapter;
        diff(d, "adapter.method", method, other.method);
        diff(d, "model num_hidden_layers", numHiddenLayers, other.numHiddenLayers);
        diff(d, "model hidden_size", hiddenSize, other.hiddenSize);
        switch (a.method()) {
            case MEFT -> {
                diff(d, "adapter.neurons", a.neurons(), b.neurons());
                diff(d, "adapter.top_k", a.topK(), b.topK());
                diff(d, "adapter.routing", a.routing(), b.routing());
                diff(d, "adapter.n_probe", a.nProbe(), b.nProbe());
                diff(d, "adapter.expert_factor", a.expertFactor(), b.expertFactor());
                diff(d, "adapter.union_cap", a.unionCap(), b.unionCap());
                diff(d, "adapter.freeze_keys", a.freezeKeys(), b.freezeKeys());
                diff(d, "adapter.router_softmax", a.routerSoftmax(), b.routerSoftmax());
            }
            case LORA -> {
                diff(d, "adapter.lora_rank", a.loraRank(), b.loraRank());
                diff(d, "adapter.lora_alpha", a.loraAlpha(), b.loraAlpha());
                diff(d, "adapter.lora_targets", a.loraTargets(), b.loraTargets());
            }
            case PARALLEL_ADAPTER -> diff(d, "adapter.neurons", a.neurons(), b.neurons());
            case FULL, NONE -> {
            }
        }
        return d;
    }

    private static void diff(List<String> out, String key, Object here, Object there) {
        if (!String.valueOf(here).equals(String.valueOf(there))) {
            out.add(key + ": " + here + " vs " + there);
        }
    }

    /** Enums as the configuration writes them: key_experts, not KEY_EXPERTS. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class LowerCaseEnums extends StdSerializer<Enum> {
        LowerCaseEnums() {
            super(Enum.class);
        }

        @Override
        public void serialize(Enum value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.name().toLowerCase(Locale.ROOT));
        }
    }
}
