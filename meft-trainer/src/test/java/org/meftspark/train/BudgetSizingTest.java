package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.meftspark.config.AdapterSection.Method;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.model.EmbeddedModels;
import org.meftspark.model.ModelConfig;

class BudgetSizingTest {
    static final List<Method> ALL = List.of(Method.NONE, Method.LORA, Method.PARALLEL_ADAPTER, Method.MEFT, Method.FULL);

    private static AdapterSection study(String yaml) {
        return RunConfigLoader.parse("adapter: {top_k: 8, n_probe: 4, expert_factor: 1.0, " + yaml + "}", "test",
                List.of()).adapter();
    }

    @Test
    void eachMethodIsTheLargestThatFitsAndOneStepMoreDoesNot() {
        ModelConfig m = TrainerTest.TINY;
        long weights = 40_000;
        long budget = weights + 90_000;
        AdapterSection base = study("lora_targets: [q_proj, v_proj]");
        Map<String, BudgetSizing.Sized> plan = BudgetSizing.plan(base, m, weights, budget, 16, ALL).stream()
                .collect(Collectors.toMap(BudgetSizing.Sized::name, s -> s));
        assertThat(plan.keySet()).containsExactlyInAnyOrder("zero_shot", "lora", "parallel_adapter", "meft", "full");
        for (BudgetSizing.Sized s : plan.values()) {
            assertThat(s.footprint().total() <= budget).as(s.name()).isEqualTo(s.fits());
        }
        // Parallel Adapter: 2 layers x 2 N d x 16 bytes = 1024 N bytes; 90,000 / 1024 -> N = 87
        assertThat(plan.get("parallel_adapter").set()).contains("adapter.neurons=87");
        assertThat(Adaptations.footprint(BudgetSizing.with(base, Method.PARALLEL_ADAPTER, 88, 1, 1), m, weights, 4).total())
                .isGreaterThan(budget);
        // MEFT: 16 x 87 neurons, and the next union cap would not fit
        assertThat(plan.get("meft").set()).contains("adapter.neurons=1392");
        int cap = Integer.parseInt(plan.get("meft").set().get(2).split("=")[1]);
        assertThat(Adaptations.footprint(BudgetSizing.with(base, Method.MEFT, 1392, cap + 1, 1), m, weights, 4).total())
                .isGreaterThan(budget);
        // LoRA on q (16 -> 16) and v (16 -> 8): rank is capped at 8, where the budget does not bind
        assertThat(plan.get("lora").set()).contains("adapter.lora_rank=8");
        assertThat(plan.get("lora").note()).contains("not binding");
        // Full fine-tuning needs 4 x the weights: 160,000 > 130,000
        assertThat(plan.get("full").fits()).isFalse();
        assertThat(plan.get("full").note()).startsWith("does not fit");
        assertThat(plan.get("zero_shot").footprint().total()).isEqualTo(weights);
    }

    @Test
    void aTightBudgetBindsLoraBelowItsUsefulRank() {
        ModelConfig m = EmbeddedModels.tinyLlamaConfig();
        long weights = 430_080;
        AdapterSection base = study("lora_targets: [q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj]");
        BudgetSizing.Sized lora = BudgetSizing.plan(base, m, weights, weights + 500_000, 16, List.of(Method.LORA)).get(0);
        // 2 layers x 1,156 (sum of d_in + d_out) x 16 bytes = 36,992 bytes per rank
        assertThat(lora.set()).contains("adapter.lora_rank=13");
        assertThat(lora.fits()).isTrue();
    }

    @Test
    void largestFindsTheBoundaryOfAMonotonePredicate() {
        assertThat(BudgetSizing.largest(1, 1000, x -> x <= 377)).isEqualTo(377);
        assertThat(BudgetSizing.largest(1, 1000, x -> true)).isEqualTo(1000);
        assertThat(BudgetSizing.largest(5, 1000, x -> false)).isEqualTo(4);
    }
}
