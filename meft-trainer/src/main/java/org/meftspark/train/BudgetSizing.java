package org.meftspark.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.AdapterSection.Method;
import org.meftspark.config.AdapterSection;
import org.meftspark.model.ModelConfig;

/**
 * Sizes every method of the knowledge-intensive study (issue 8) to one device-memory budget, as
 * the {@link DeviceFootprint} (the ledger's own accounting) predicts it:
 * <ul>
 *   <li>LoRA: the largest rank that fits, at most the smallest min(d_in, d_out) of its targets
 *       (a higher rank adds values but cannot raise the rank of the update);</li>
 *   <li>Parallel Adapter: the largest N that fits;</li>
 *   <li>MEFT: N = {@code meftFactor} times the Parallel Adapter's N, with the largest union cap L
 *       that fits (section 5: its device bytes depend on L and the routers, not on N);</li>
 *   <li>full fine-tuning: only where all weights, gradients and moments fit;</li>
 *   <li>zero-shot: the base model alone.</li>
 * </ul>
 * A method that cannot fit at its smallest size is returned with {@code fits == false} and a
 * reason, so a study reports it instead of silently dropping it.
 */
public final class BudgetSizing {
    /** The largest N searched (the config's own upper bound for adapter.neurons). */
    private static final long MAX_NEURONS = 1 << 26;

    private BudgetSizing() {
    }

    /**
     * One method at its size.
     *
     * @param name      the sweep variant name ({@code zero_shot}, {@code lora}, ...)
     * @param method    the adapter method
     * @param set       the overrides that select and size it, e.g. {@code adapter.lora_rank=30}
     * @param adapter   the study's adapter settings with exactly those overrides applied
     * @param footprint its predicted device bytes
     * @param fits      whether it fits the budget
     * @param note      how it was sized, or why it does not fit
     */
    public record Sized(String name, Method method, List<String> set, AdapterSection adapter, DeviceFootprint footprint,
                        boolean fits, String note) {
    }

    /**
     * @param base        the study's adapter settings (top_k, routing, targets, ...) that sizing keeps
     * @param m           the base model's shape
     * @param weightBytes its weight bytes as loaded
     * @param budget      device bytes every method must fit in
     * @param meftFactor  MEFT's N as a multiple of the Parallel Adapter's
     * @param methods     the methods to size, in report order
     */
    public static List<Sized> plan(AdapterSection base, ModelConfig m, long weightBytes, long budget, int meftFactor,
                                   List<Method> methods) {
        List<Sized> out = new ArrayList<>();
        long paNeurons = largest(1, MAX_NEURONS, n -> fits(with(base, Method.PARALLEL_ADAPTER, (int) n, 1, 1), m, weightBytes, budget));
        for (Method method : methods) {
            out.add(switch (method) {
                case NONE -> sized("zero_shot", with(base, Method.NONE, base.neurons(), base.unionCap(), base.loraRank()),
                        m, weightBytes, budget, List.of("adapter.method=none"), "the base model, no training");
                case FULL -> sized("full", with(base, Method.FULL, base.neurons(), base.unionCap(), base.loraRank()), m,
                        weightBytes, budget, List.of("adapter.method=full"), "all weights, gradients and two moments");
                case LORA -> {
                    long cap = org.meftspark.adapters.lora.Lora.maxUsefulRank(m, base.loraTargets());
                    long r = largest(1, cap, x -> fits(with(base, Method.LORA, 1, 1, (int) x), m, weightBytes, budget));
                    int rank = (int) Math.max(1, r);
                    yield sized("lora", with(base, Method.LORA, base.neurons(), base.unionCap(), rank), m, weightBytes, budget,
                            List.of("adapter.method=lora", "adapter.lora_rank=" + rank),
                            r >= cap ? "rank " + rank + ", the most useful for " + base.loraTargets() + " (budget not binding)"
                                    : "largest rank that fits, on " + base.loraTargets());
                }
                case PARALLEL_ADAPTER -> {
                    int n = (int) Math.max(1, paNeurons);
                    yield sized("parallel_adapter", with(base, Method.PARALLEL_ADAPTER, n, base.unionCap(), base.loraRank()), m,
                            weightBytes, budget,
                            List.of("adapter.method=parallel_adapter", "adapter.neurons=" + n), "largest N that fits");
                }
                case MEFT -> {
                    int n = (int) Math.min(MAX_NEURONS, Math.max(1, paNeurons) * meftFactor);
                    // L below top_k is refused by the configuration: one token's neurons must fit.
                    long l = largest(base.topK(), n, x -> fits(with(base, Method.MEFT, n, (int) x, 1), m, weightBytes, budget));
                    int cap = (int) Math.max(base.topK(), l);
                    yield sized("meft", with(base, Method.MEFT, n, cap, base.loraRank()), m, weightBytes, budget,
                            List.of("adapter.method=meft", "adapter.neurons=" + n, "adapter.union_cap=" + cap),
                            "N = " + meftFactor + " x the Parallel Adapter's, largest union cap L that fits");
                }
            });
        }
        return out;
    }

    private static Sized sized(String name, AdapterSection a, ModelConfig m, long weightBytes, long budget,
                               List<String> set, String how) {
        DeviceFootprint f = Adaptations.footprint(a, m, weightBytes, 4);
        boolean fits = f.total() <= budget;
        String note = fits ? how : String.format(java.util.Locale.ROOT,
                "does not fit: needs %d bytes of a %d-byte budget at its smallest size", f.total(), budget);
        return new Sized(name, a.method(), List.copyOf(set), a, f, fits, note);
    }

    private static boolean fits(AdapterSection a, ModelConfig m, long weightBytes, long budget) {
        return Adaptations.footprint(a, m, weightBytes, 4).total() <= budget;
    }

    /** The largest x in [lo, hi] with ok(x) for a monotone predicate (true up to some x); lo - 1 when none. */
    static long largest(long lo, long hi, LongPredicate ok) {
        if (!ok.test(lo)) {
            return lo - 1;
        }
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            if (ok.test(mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The study's adapter settings with one method and size. */
    static AdapterSection with(AdapterSection a, Method method, int neurons, int unionCap, int loraRank) {
        return new AdapterSection(method, neurons, a.topK(), a.routing(), a.nProbe(), a.expertFactor(), unionCap,
                a.freezeKeys(), loraRank, a.loraAlpha(), a.loraDropout(), a.loraTargets(), a.routerSoftmax(),
                a.hostMemoryGb(), a.initStd());
    }
}
