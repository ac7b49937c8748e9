package org.meftspark.config;

import java.util.List;

/**
 * The adaptation method and its hyperparameters. Defaults are the reference setup
 * of meft-method.md section 6 (LLaMA-7B on NQ).
 *
 * @param method        which adaptation runs (one switch for MEFT and the baselines)
 * @param neurons       N, adapter neurons per layer (sections 1, 5)
 * @param topK          k, neurons each token activates (section 1)
 * @param routing       exact top-k over all keys, or Key-Experts routing (section 2)
 * @param nProbe        P, experts each token scores (section 2)
 * @param expertFactor  f in E = ceil(sqrt(N)) / f (section 2)
 * @param unionCap      L, most neurons gathered to the device per layer and micro-batch (section 3)
 * @param freezeKeys    train values (and routers) only
 * @param loraRank      LoRA rank r
 * @param loraAlpha     LoRA scaling numerator (scale = alpha / r)
 * @param loraDropout   dropout on the LoRA input
 * @param loraTargets   projections LoRA adapts
 * @param routerSoftmax softmax over the router scores g before choosing experts (section 2, step 1);
 *                      keeps the scale g_e(i) positive so relu(a_i) keeps the sign of k_i . x
 * @param hostMemoryGb  host memory the MEFT neuron store may use, in GiB; 0 means the memory the
 *                      operating system reports available (section 5: host bytes grow with N)
 * @param initStd       standard deviation of the adapter keys and routers at initialisation (section 1)
 */
public record AdapterSection(Method method, int neurons, int topK, Routing routing, int nProbe,
                            double expertFactor, int unionCap, boolean freezeKeys, int loraRank,
                            double loraAlpha, double loraDropout, List<String> loraTargets, boolean routerSoftmax,
                            double hostMemoryGb, double initStd) implements java.io.Serializable {

    /** Adaptation methods; all run in the same trainer. */
    public enum Method { MEFT, LORA, PARALLEL_ADAPTER, FULL, NONE }

    /** How MEFT chooses each token's neurons. */
    public enum Routing { KEY_EXPERTS, EXACT }

    public static final Key<Method> METHOD = Key.choice("method", Method.class, Method.MEFT,
            "meft (host-resident sparse adapter), lora, parallel_adapter (dense, on device), full, none (zero-shot).");
    public static final Key<Integer> NEURONS = Key.integer("neurons", 8464, 1, 1 << 26,
            "N, adapter neurons per layer (MEFT and parallel_adapter); host memory grows with N.");
    public static final Key<Integer> TOP_K = Key.integer("top_k", 64, 1, 1 << 16,
            "k, neurons each token activates.");
    public static final Key<Routing> ROUTING = Key.choice("routing", Routing.class, Routing.KEY_EXPERTS,
            "key_experts (router + n_probe experts) or exact (score all N keys).");
    public static final Key<Integer> N_PROBE = Key.integer("n_probe", 8, 1, 1 << 16,
            "P, experts each token scores under key_experts routing.");
    public static final Key<Double> EXPERT_FACTOR = Key.real("expert_factor", 0.25, 0.0, true, 64.0,
            "f in E = ceil(sqrt(N)) / f experts.");
    public static final Key<Integer> UNION_CAP = Key.integer("union_cap", 3072, 1, 1 << 24,
            "L, most neurons per layer per micro-batch moved to the device; a seeded subset is kept beyond it.");
    public static final Key<Boolean> FREEZE_KEYS = Key.bool("freeze_keys", false,
            "Keep MEFT keys fixed and train values (and routers) only.");
    public static final Key<Integer> LORA_RANK = Key.integer("lora_rank", 8, 1, 4096, "LoRA rank r.");
    public static final Key<Double> LORA_ALPHA = Key.real("lora_alpha", 16.0, 0.0, true, 1e6,
            "LoRA alpha; the update is scaled by alpha / r.");
    public static final Key<Double> LORA_DROPOUT = Key.real("lora_dropout", 0.05, 0.0, false, 0.9,
            "Dropout probability on the LoRA input.");
    public static final Key<List<String>> LORA_TARGETS = Key.stringList("lora_targets", List.of("q_proj", "v_proj"),
            "q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj", "projection names (q_proj ... down_proj)",
            "Projections LoRA adapts.");

    public static final Key<Boolean> ROUTER_SOFTMAX = Key.bool("router_softmax", true,
            "Softmax over the router scores before choosing the n_probe experts (key_experts routing).");
    public static final Key<Double> HOST_MEMORY_GB = Key.real("host_memory_gb", 0.0, 0.0, false, 1 << 20,
            "Host memory (GiB) the MEFT neuron store may use; 0 uses what the OS reports available. "
                    + "Never more than 90% of what the host reports available, whatever is set here. "
                    + "The trainer refuses to start when the store would not fit.");
    public static final Key<Double> INIT_STD = Key.real("init_std", 0.02, 0.0, true, 10.0,
            "Standard deviation of the initial adapter keys and routers (values start at zero).");

    public static final Section<AdapterSection> SECTION = new Section<>("adapter",
            "The adaptation method (MEFT or a baseline) and its hyperparameters.",
            List.of(METHOD, NEURONS, TOP_K, ROUTING, N_PROBE, EXPERT_FACTOR, UNION_CAP, FREEZE_KEYS,
                    LORA_RANK, LORA_ALPHA, LORA_DROPOUT, LORA_TARGETS, ROUTER_SOFTMAX, HOST_MEMORY_GB, INIT_STD),
            v -> new AdapterSection(v.get(METHOD), v.get(NEURONS), v.get(TOP_K), v.get(ROUTING), v.get(N_PROBE),
                    v.get(EXPERT_FACTOR), v.get(UNION_CAP), v.get(FREEZE_KEYS), v.get(LORA_RANK),
                    v.get(LORA_ALPHA), v.get(LORA_DROPOUT), v.get(LORA_TARGETS),
                    v.get(ROUTER_SOFTMAX), v.get(HOST_MEMORY_GB), v.get(INIT_STD)));

    public AdapterSection {
        if (method == Method.MEFT) {
            if (topK > neurons) {
                throw new IllegalArgumentException("top_k (" + topK + ") must not exceed neurons (" + neurons + ")");
            }
            if (unionCap < topK) {
                throw new IllegalArgumentException("union_cap (" + unionCap + ") must be at least top_k (" + topK + ")");
            }
            int experts = experts(neurons, expertFactor);
            if (routing == Routing.KEY_EXPERTS && nProbe > experts) {
                throw new IllegalArgumentException("n_probe (" + nProbe + ") must not exceed the number of experts E = ceil(sqrt("
                        + neurons + ")) / " + expertFactor + " = " + experts);
            }
            // Each token's candidates are the keys of its P experts; the smallest block holds floor(N/E) keys.
            long candidates = (long) nProbe * (neurons / experts);
            if (routing == Routing.KEY_EXPERTS && topK > candidates) {
                throw new IllegalArgumentException("top_k (" + topK + ") exceeds the " + candidates + " candidate keys of n_probe ("
                        + nProbe + ") experts of " + (neurons / experts) + " keys; raise n_probe or lower top_k");
            }
        }
        loraTargets = List.copyOf(loraTargets);
    }

    /** E = ceil(sqrt(N)) / f, rounded up and clamped to [1, N] (meft-method.md section 2). */
    public static int experts(int neurons, double expertFactor) {
        double e = Math.ceil(Math.sqrt(neurons)) / expertFactor;
        return (int) Math.max(1, Math.min(neurons, Math.ceil(e)));
    }
}
