package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.device.ComputeDevice;
import org.meftspark.meft.HostMemoryPlan;
import org.meftspark.shard.LocalShardStore;

/**
 * Issue 9 item 6: a MEFT store larger than the host memory it may use is refused before training
 * starts: before the run directory is created, and (from shards) before the model's weights or the
 * shards are read.
 */
class HostMemoryRefusalTest {
    @TempDir
    Path tmp;

    @Test
    void aStoreOverItsBudgetIsRefusedBeforeTheRunDirectoryExists() {
        // 64 neurons x d 16 x 2 layers is about 66 KiB; the budget is 1 KiB.
        RunConfig c = TrainerTest.config("meft", "adapter.host_memory_gb=0.000001");
        Path run = tmp.resolve("run");
        assertThatThrownBy(() -> Trainer.train(c, TrainerTest.decoder(ScalarType.Float), TrainerTest.rows(4, 10), run, false,
                TrainingListener.NONE, ComputeDevice.cpu(), ScalarType.Float))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the MEFT neuron store needs").hasMessageContaining("2 layers x N=64 x d=16")
                .hasMessageContaining("lower adapter.neurons");
        assertThat(run).doesNotExist();
    }

    @Test
    void fromShardsTheRefusalComesBeforeTheModelOrTheShardsAreRead() {
        RunConfig c = RunConfigLoader.parse("""
                model: {path: "embedded:tiny-llama", tokenizer: byte}
                adapter: {method: meft, neurons: 4096, top_k: 8, union_cap: 64, host_memory_gb: 0.0001}
                """, "test", List.of());
        // An empty store: reading it would fail with "no manifest.json", so this error proves the order.
        assertThatThrownBy(() -> Trainer.run(c, new LocalShardStore(tmp.resolve("no-shards")), tmp.resolve("run"), false,
                TrainingListener.NONE, ComputeDevice.cpu()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("the MEFT neuron store needs")
                .hasMessageContaining("N=4096 x d=64");
        assertThat(tmp.resolve("run")).doesNotExist();
    }

    @Test
    void aConfiguredBudgetAboveWhatTheHostHasIsCappedSoAStoreLargerThanTheHostIsRefused() {
        long available = HostMemoryPlan.availableBytes();
        Assumptions.assumeTrue(available > 0, "skipped: no /proc/meminfo, so the host's memory is unknown");
        // adapter.host_memory_gb at its maximum (1 PiB) must not lift the budget above the host's memory.
        long budget = HostMemoryPlan.budgetBytes(1 << 20);
        assertThat(budget).isLessThanOrEqualTo(available);
        // A store of twice the available memory: once allowed by a large host_memory_gb, then lost to the OOM killer.
        long neurons = 2 * available / (16L * 4 * 8 * 2) + 1;
        HostMemoryPlan plan = new HostMemoryPlan(2, neurons, 16, false, 4);
        assertThat(plan.totalBytes()).isGreaterThan(available);
        assertThatThrownBy(() -> plan.requireFits(budget)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never more than 90% of the memory this host reports available");
        // Within what the host has, the configured budget still applies.
        assertThat(HostMemoryPlan.budgetBytes(0.5)).isEqualTo(Math.min(1L << 29, (long) (available * 0.9)));
        assertThat(Files.isReadable(Path.of("/proc/meminfo"))).isTrue();
    }
}
