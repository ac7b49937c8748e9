package org.meftspark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a model rescales its rotary frequencies: the {@code rope_scaling} (transformers 4.x) or
 * {@code rope_parameters} (transformers 5) entry of a {@code config.json}. The formulas are those
 * of Hugging Face {@code modeling_rope_utils.py}; each is a plain static method over the default
 * inverse frequencies {@code theta^(-2j/hd)}, j = 0 .. hd/2 - 1.
 *
 * <ul>
 *   <li>{@code linear} (position interpolation, Llama-2 long-context derivatives): every inverse
 *       frequency divided by {@code factor}.</li>
 *   <li>{@code dynamic} (dynamic NTK): once a forward reaches a sequence length beyond
 *       {@code max_position_embeddings}, the base becomes
 *       {@code theta * (factor * len / max - (factor - 1))^(hd / (hd - 2))}; unchanged below it.</li>
 *   <li>{@code llama3} (Llama 3.1 / 3.2): per frequency band of wavelength {@code 2 pi / f}: shorter
 *       than {@code original_max / high_freq_factor} unchanged, longer than
 *       {@code original_max / low_freq_factor} divided by {@code factor}, in between a smooth blend.</li>
 * </ul>
 * All three have attention factor 1 (HF), so only the frequencies change.
 *
 * @param type                          the rope type; {@link Type#DEFAULT} is plain RoPE
 * @param factor                        scale factor (linear, dynamic, llama3); 1 for default
 * @param lowFreqFactor                 llama3: wavelengths above original_max / low_freq_factor are divided by factor
 * @param highFreqFactor                llama3: wavelengths below original_max / high_freq_factor are kept
 * @param originalMaxPositionEmbeddings llama3: the context the frequencies were trained for (8192 in Llama 3.1); 0 otherwise
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) implements java.io.Serializable {

    /** The rope types the decoder implements; HF's {@code rope_type} names in lower case. */
    public enum Type { DEFAULT, LINEAR, DYNAMIC, LLAMA3 }

    /** Plain RoPE. */
    public static final RopeScaling NONE = new RopeScaling(Type.DEFAULT, 1, 0, 0, 0);

    public RopeScaling {
        List<String> bad = new ArrayList<>();
        if (type != Type.DEFAULT && !(factor >= 1)) {
            // HF warns below 1; a factor under 1 would shrink the context, which no released model does.
            bad.add("rope_scaling factor must be >= 1, got " + factor);
        }
        if (type == Type.LLAMA3) {
            if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)) {
                bad.add("rope_scaling needs 0 < low_freq_factor < high_freq_factor, got " + lowFreqFactor + " and " + highFreqFactor);
            }
            if (originalMaxPositionEmbeddings <= 0) {
                bad.add("rope_scaling original_max_position_embeddings must be positive, got " + originalMaxPositionEmbeddings);
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bad));
        }
    }

    /**
     * Reads {@code rope_parameters} when present (transformers 5), else {@code rope_scaling}; absent or
     * null is plain RoPE. A type the decoder does not implement is refused by name.
     */
    static RopeScaling fromJson(JsonNode config) {
        JsonNode r = config.get("rope_parameters");
        if (r == null || r.isNull()) {
            r = config.get("rope_scaling");
        }
        if (r == null || r.isNull()) {
            return NONE;
        }
        if (!r.isObject()) {
            throw new IllegalArgumentException("rope_scaling must be an object or null, got " + r);
        }
        JsonNode t = r.has("rope_type") ? r.get("rope_type") : r.get("type");
        String name = t == null || t.isNull() ? "default" : t.asText();
        return switch (name) {
            case "default" -> NONE;
            case "linear" -> new RopeScaling(Type.LINEAR, number(r, "factor"), 0, 0, 0);
            case "dynamic" -> new RopeScaling(Type.DYNAMIC, number(r, "factor"), 0, 0, 0);
            case "llama3" -> new RopeScaling(Type.LLAMA3, number(r, "factor"), number(r, "low_freq_factor"),
                    number(r, "high_freq_factor"), (int) number(r, "original_max_position_embeddings"));
            default -> throw new IllegalArgumentException("rope_scaling type '" + name
                    + "' is not implemented (only default, linear, dynamic and llama3)");
        };
    }

    private static double number(JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("rope_scaling " + field + " is missing or not a number (got " + v + ")");
        }
        return v.asDouble();
    }

    /** The transformers 4.x {@code rope_scaling} entry; nothing for plain RoPE. */
    void writeJson(ObjectNode config) {
        if (type == Type.DEFAULT) {
            config.putNull("rope_scaling");
            return;
        }
        ObjectNode o = config.putObject("rope_scaling");
        o.put("rope_type", type.name().toLowerCase(Locale.ROOT));
        o.put("factor", factor);
        if (type == Type.LLAMA3) {
            o.put("low_freq_factor", lowFreqFactor);
            o.put("high_freq_factor", highFreqFactor);
            o.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
        }
    }

    /**
     * Positions a forward may use. Linear and dynamic scaling exist to stretch a context of
     * {@code max_position_embeddings} by {@code factor} (Llama-2 derivatives keep the original
     * value there); Llama 3.1's config already gives the stretched 131072.
     */
    public long positionLimit(int maxPositionEmbeddings) {
        return switch (type) {
            case DEFAULT, LLAMA3 -> maxPositionEmbeddings;
            case LINEAR, DYNAMIC -> (long) Math.floor(maxPositionEmbeddings * factor);
        };
    }

    /**
     * The inverse frequencies of one forward, [hd/2].
     *
     * @param seqLen the largest position of the forward plus one (only dynamic NTK depends on it)
     */
    public double[] inverseFrequencies(int headDim, double theta, long seqLen, int maxPositionEmbeddings) {
        return switch (type) {
            case DEFAULT -> defaultInverseFrequencies(headDim, theta);
            case LINEAR -> linear(defaultInverseFrequencies(headDim, theta), factor);
            case DYNAMIC -> defaultInverseFrequencies(headDim, dynamicBase(headDim, theta, factor, seqLen, maxPositionEmbeddings));
            case LLAMA3 -> llama3(defaultInverseFrequencies(headDim, theta), factor, lowFreqFactor, highFreqFactor,
                    originalMaxPositionEmbeddings);
        };
    }

    /** theta^(-2j/hd) for j = 0 .. hd/2 - 1 (HF _compute_default_rope_parameters, in float64). */
    public static double[] defaultInverseFrequencies(int headDim, double theta) {
        double[] f = new double[headDim / 2];
        for (int j = 0; j < f.length; j++) {
            f[j] = 1.0 / Math.pow(theta, (2.0 * j) / headDim);
        }
        return f;
    }

    /** Position interpolation: f / factor (HF _compute_linear_scaling_rope_parameters). */
    public static double[] linear(double[] invFreq, double factor) {
        double[] f = invFreq.clone();
        for (int j = 0; j < f.length; j++) {
            f[j] /= factor;
        }
        return f;
    }

    /**
     * Dynamic NTK base (HF _compute_dynamic_ntk_parameters): unchanged up to
     * {@code maxPositionEmbeddings}, then {@code theta * (factor * len / max - (factor - 1))^(hd/(hd-2))}.
     * HF keeps the largest length seen in a mutable buffer across calls; here it is the forward's own
     * length, so a result does not depend on what ran before (the same for every call of one
     * generation, whose positions only grow).
     */
    public static double dynamicBase(int headDim, double theta, double factor, long seqLen, int maxPositionEmbeddings) {
        double len = Math.max(seqLen, maxPositionEmbeddings);
        return theta * Math.pow(factor * len / maxPositionEmbeddings - (factor - 1), headDim / (headDim - 2.0));
    }

    /** Llama 3.1 frequency bands (HF _compute_llama3_parameters; Meta's apply_scaling). */
    public static double[] llama3(double[] invFreq, double factor, double lowFreqFactor, double highFreqFactor,
                                  int originalMax) {
        double lowFreqWavelen = originalMax / lowFreqFactor;
        double highFreqWavelen = originalMax / highFreqFactor;
        double[] f = new double[invFreq.length];
        for (int j = 0; j < f.length; j++) {
            double wavelen = 2 * Math.PI / invFreq[j];
            if (wavelen < highFreqWavelen) {
                f[j] = invFreq[j];
            } else if (wavelen > lowFreqWavelen) {
                f[j] = invFreq[j] / factor;
            } else {
                double smooth = (originalMax / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                f[j] = (1 - smooth) * invFreq[j] / factor + smooth * invFreq[j];
            }
        }
        return f;
    }

    /** Which llama3 band each frequency falls in: 0 unchanged, 1 smoothed, 2 divided (for tests and logs). */
    public int[] llama3Bands(int headDim, double theta) {
        double[] inv = defaultInverseFrequencies(headDim, theta);
        int[] band = new int[inv.length];
        for (int j = 0; j < inv.length; j++) {
            double wavelen = 2 * Math.PI / inv[j];
            band[j] = wavelen < originalMaxPositionEmbeddings / highFreqFactor ? 0
                    : wavelen > originalMaxPositionEmbeddings / lowFreqFactor ? 2 : 1;
        }
        return band;
    }
}
