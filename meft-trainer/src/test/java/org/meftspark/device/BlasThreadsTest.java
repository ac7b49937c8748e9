package org.meftspark.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * OpenBLAS's pool follows the thread count the project sets (issue 20 item 1): with it pinned to 1 every libtorch
 * GEMM ran on one core. The test JVM has .mvn/jvm.config's flags, as every JVM the project starts.
 */
class BlasThreadsTest {
    @Test
    void setThreadsSetsLibtorchAndOpenBlasTogether() {
        int before = TorchRuntime.threads();
        try {
            assertThat(BlasThreads.available()).as("jdk.incubator.foreign and OpenBLAS's symbols").isTrue();
            TorchRuntime.setThreads(1);
            assertThat(BlasThreads.get()).isEqualTo(1);
            assertThat(TorchRuntime.threads()).isEqualTo(1);
            TorchRuntime.setThreads(2);
            assertThat(BlasThreads.get()).isEqualTo(2);
            assertThat(TorchRuntime.threads()).isEqualTo(2);
            assertThat(BlasThreads.set(0)).isTrue();
            assertThat(BlasThreads.get()).as("at least one thread").isEqualTo(1);
        } finally {
            TorchRuntime.setThreads(before);
        }
    }
}
