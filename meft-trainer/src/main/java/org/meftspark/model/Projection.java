package org.meftspark.model;

/** The linear maps of one decoder layer, by their Hugging Face module names. */
public enum Projection {
    Q("self_attn.q_proj"),
    K("self_attn.k_proj"),
    V("self_attn.v_proj"),
    O("self_attn.o_proj"),
    GATE("mlp.gate_proj"),
    UP("mlp.up_proj"),
    DOWN("mlp.down_proj");

    private final String hfName;

    Projection(String hfName) {
        this.hfName = hfName;
    }

    /** Module path inside {@code model.layers.N.}, e.g. {@code self_attn.q_proj}. */
    public String hfName() {
        return hfName;
    }
}
