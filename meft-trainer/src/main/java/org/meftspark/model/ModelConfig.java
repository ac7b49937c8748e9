package org.meftspark.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The architecture of a LLaMA or Mistral decoder, read from a Hugging Face {@code config.json}
 * ({@code LlamaConfig} / {@code MistralConfig} field names and defaults).
 *
 * <p>Anything the decoder does not implement is refused with a message naming the field, never
 * silently ignored: another architecture, a {@code rope_scaling} type other than default, linear,
 * dynamic and llama3 ({@link RopeScaling}), attention or MLP biases, an activation other than SiLU.
 *
 * @param architecture          "LlamaForCausalLM" or "MistralForCausalLM"
 * @param vocabSize             rows of the embedding and of the LM head
 * @param hiddenSize            d, the residual stream width
 * @param intermediateSize      width of the SwiGLU MLP
 * @param numHiddenLayers       decoder layers
 * @param numAttentionHeads     query heads
 * @param numKeyValueHeads      key/value heads (grouped-query attention; equal to query heads for MHA)
 * @param headDim               per-head width; HF default hidden_size / num_attention_heads
 * @param rmsNormEps            epsilon inside RMSNorm
 * @param ropeTheta             rotary base frequency
 * @param maxPositionEmbeddings longest sequence the model was trained for (positions beyond are refused)
 * @param tieWordEmbeddings     LM head shares the embedding matrix
 * @param slidingWindow         Mistral: a query attends to at most this many most recent keys (itself included); empty = full causal
 * @param bosTokenId            beginning-of-sequence id
 * @param eosTokenIds           end-of-sequence ids (HF allows one or a list)
 * @param torchDtype            dtype the checkpoint was saved in ("float32", "bfloat16", ...)
 * @param ropeScaling           rotary frequency scaling ({@code rope_scaling} / {@code rope_parameters}); {@link RopeScaling#NONE} for plain RoPE
 */
public record ModelConfig(
        String architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        OptionalInt slidingWindow,
        int bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype,
        RopeScaling ropeScaling) {

    public static final String LLAMA = "LlamaForCausalLM";
    public static final String MISTRAL = "MistralForCausalLM";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A config with plain RoPE (the tests' tiny models, the embedded default). */
    public ModelConfig(String architecture, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                       int numAttentionHeads, int numKeyValueHeads, int headDim, double rmsNormEps, double ropeTheta,
                       int maxPositionEmbeddings, boolean tieWordEmbeddings, OptionalInt slidingWindow, int bosTokenId,
                       List<Integer> eosTokenIds, String torchDtype) {
        this(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
                headDim, rmsNormEps, ropeTheta, maxPositionEmbeddings, tieWordEmbeddings, slidingWindow, bosTokenId,
                eosTokenIds, torchDtype, RopeScaling.NONE);
    }

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        java.util.Objects.requireNonNull(ropeScaling, "ropeScaling");
        List<String> bad = new ArrayList<>();
        if (!architecture.equals(LLAMA) && !architecture.equals(MISTRAL)) {
            bad.add("architecture " + architecture + " is not supported (only " + LLAMA + " and " + MISTRAL + ")");
        }
        positive(bad, "vocab_size", vocabSize);
        positive(bad, "hidden_size", hiddenSize);
        positive(bad, "intermediate_size", intermediateSize);
        positive(bad, "num_hidden_layers", numHiddenLayers);
        positive(bad, "num_attention_heads", numAttentionHeads);
        positive(bad, "num_key_value_heads", numKeyValueHeads);
        positive(bad, "head_dim", headDim);
        positive(bad, "max_position_embeddings", maxPositionEmbeddings);
        if (numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads != 0) {
            bad.add("num_attention_heads " + numAttentionHeads + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            bad.add("head_dim " + headDim + " is odd; rotary embeddings rotate pairs of channels");
        }
        if (!(rmsNormEps > 0)) {
            bad.add("rms_norm_eps must be > 0, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0)) {
            bad.add("rope_theta must be > 0, got " + ropeTheta);
        }
        if (slidingWindow.isPresent() && slidingWindow.getAsInt() <= 0) {
            bad.add("sliding_window must be positive or null, got " + slidingWindow.getAsInt());
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("unsupported model config: " + String.join("; ", bad));
        }
    }

    private static void positive(List<String> bad, String field, long v) {
        if (v <= 0) {
            bad.add(field + " must be positive, got " + v);
        }
    }

    /** The same architecture with another rope scaling. */
    public ModelConfig withRopeScaling(RopeScaling r) {
        return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, ropeTheta, maxPositionEmbeddings, tieWordEmbeddings, slidingWindow,
                bosTokenId, eosTokenIds, torchDtype, r);
    }

    /** Positions a forward may use: max_position_embeddings, stretched by linear and dynamic scaling. */
    public long positionLimit() {
        return ropeScaling.positionLimit(maxPositionEmbeddings);
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    public static ModelConfig read(Path configJson) {
        try {
            return parse(Files.readString(configJson), configJson.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(configJson + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * @param json   the text of a config.json
     * @param source where it came from, for error messages
     */
    public static ModelConfig parse(String json, String source) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not well-formed JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(source + ": config must be a JSON object");
        }
        try {
            return fromJson(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static ModelConfig fromJson(JsonNode n) {
        List<String> bad = new ArrayList<>();
        JsonNode archs = n.get("architectures");
        String arch;
        if (archs == null || !archs.isArray() || archs.size() != 1 || !archs.get(0).isTextual()) {
            String type = text(n, "model_type", "");
            // Some configs omit "architectures"; model_type then decides.
            arch = switch (type) {
                case "llama" -> LLAMA;
                case "mistral" -> MISTRAL;
                default -> "architectures=" + archs + " model_type=" + type;
            };
        } else {
            arch = archs.get(0).textValue();
        }
        RopeScaling rope = RopeScaling.NONE;
        try {
            rope = RopeScaling.fromJson(n);
        } catch (IllegalArgumentException ex) {
            bad.add(ex.getMessage());
        }
        if (bool(n, "attention_bias", false)) {
            bad.add("attention_bias=true is not implemented");
        }
        if (bool(n, "mlp_bias", false)) {
            bad.add("mlp_bias=true is not implemented");
        }
        String act = text(n, "hidden_act", "silu");
        if (!act.equals("silu")) {
            bad.add("hidden_act '" + act + "' is not implemented (only silu / SwiGLU)");
        }
        if (n.path("attention_dropout").asDouble(0) != 0) {
            // Dropout only acts in training; a frozen base must be deterministic.
            bad.add("attention_dropout must be 0 for a frozen base");
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("unsupported model config: " + String.join("; ", bad));
        }
        int hidden = integer(n, "hidden_size", 4096);
        int heads = integer(n, "num_attention_heads", 32);
        JsonNode kv = n.get("num_key_value_heads");
        JsonNode hd = n.get("head_dim");
        JsonNode sw = n.get("sliding_window");
        List<Integer> eos = new ArrayList<>();
        JsonNode e = n.get("eos_token_id");
        if (e != null && e.isArray()) {
            e.forEach(x -> eos.add(x.asInt()));
        } else if (e != null && e.isIntegralNumber()) {
            eos.add(e.asInt());
        } else if (e == null) {
            eos.add(2);
        }
        String dtype = text(n, "torch_dtype", text(n, "dtype", "float32"));
        return new ModelConfig(
                arch,
                integer(n, "vocab_size", 32000),
                hidden,
                integer(n, "intermediate_size", 11008),
                integer(n, "num_hidden_layers", 32),
                heads,
                kv == null || kv.isNull() ? heads : kv.asInt(),
                hd == null || hd.isNull() ? hidden / heads : hd.asInt(),
                n.path("rms_norm_eps").asDouble(1e-6),
                // transformers 5 moved rope_theta into rope_parameters
                n.path("rope_parameters").path("rope_theta").asDouble(n.path("rope_theta").asDouble(10000.0)),
                integer(n, "max_position_embeddings", 2048),
                bool(n, "tie_word_embeddings", false),
                sw == null || sw.isNull() ? OptionalInt.empty() : OptionalInt.of(sw.asInt()),
                integer(n, "bos_token_id", 1),
                eos,
                dtype,
                rope);
    }

    private static int integer(JsonNode n, String field, int dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(field + " must be a 32-bit integer, got " + v);
        }
        return v.intValue();
    }

    private static boolean bool(JsonNode n, String field, boolean dflt) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? dflt : v.asBoolean();
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    /** The config.json Hugging Face transformers would write for this architecture. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(architecture);
        o.put("model_type", architecture.equals(MISTRAL) ? "mistral" : "llama");
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("intermediate_size", intermediateSize);
        o.put("num_hidden_layers", numHiddenLayers);
        o.put("num_attention_heads", numAttentionHeads);
        o.put("num_key_value_heads", numKeyValueHeads);
        o.put("head_dim", headDim);
        o.put("hidden_act", "silu");
        o.put("rms_norm_eps", rmsNormEps);
        o.put("rope_theta", ropeTheta);
        ropeScaling.writeJson(o);
        o.put("max_position_embeddings", maxPositionEmbeddings);
        o.put("tie_word_embeddings", tieWordEmbeddings);
        if (slidingWindow.isPresent()) {
            o.put("sliding_window", slidingWindow.getAsInt());
        } else {
            o.putNull("sliding_window");
        }
        o.put("attention_bias", false);
        o.put("mlp_bias", false);
        o.put("bos_token_id", bosTokenId);
        if (eosTokenIds.size() == 1) {
            o.put("eos_token_id", eosTokenIds.get(0));
        } else {
            eosTokenIds.forEach(o.putArray("eos_token_id")::add);
        }
        o.put("torch_dtype", torchDtype);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
