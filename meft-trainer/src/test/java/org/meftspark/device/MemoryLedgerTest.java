package org.meftspark.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryLedgerTest {
    @Test
    void tracksCurrentAndPeakPerCategoryAndForTheTotal() {
        MemoryLedger l = new MemoryLedger(ComputeDevice.cpu());
        l.allocate(MemoryCategory.FROZEN_WEIGHTS, 1000);
        l.allocate(MemoryCategory.ACTIVATIONS, 500);
        l.release(MemoryCategory.ACTIVATIONS, 500);
        l.allocate(MemoryCategory.ADAPTER_WORKING_SET, 300);
        assertThat(l.current(MemoryCategory.ACTIVATIONS)).isZero();
        assertThat(l.peak(MemoryCategory.ACTIVATIONS)).isEqualTo(500);
        assertThat(l.total()).isEqualTo(1300);
        // The total peaked at 1500 (weights + activations), less than the sum of category peaks (1800).
        assertThat(l.totalPeak()).isEqualTo(1500);
        l.set(MemoryCategory.ACTIVATIONS, 200);
        l.set(MemoryCategory.ACTIVATIONS, 50);
        assertThat(l.current(MemoryCategory.ACTIVATIONS)).isEqualTo(50);
        l.resetPeaks();
        assertThat(l.peak(MemoryCategory.ACTIVATIONS)).isEqualTo(50);
        assertThat(l.totalPeak()).isEqualTo(1350);
        assertThat(l.report()).contains("FROZEN_WEIGHTS").contains("TOTAL");
        assertThat(l.allocatorStats()).isEmpty();
    }

    @Test
    void overReleaseIsABookkeepingError() {
        MemoryLedger l = new MemoryLedger(ComputeDevice.cpu());
        l.allocate(MemoryCategory.GRADIENTS, 10);
        assertThatThrownBy(() -> l.release(MemoryCategory.GRADIENTS, 11)).hasMessageContaining("holds 10");
    }
}
