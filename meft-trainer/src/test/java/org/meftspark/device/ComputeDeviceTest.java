package org.meftspark.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComputeDeviceTest {
    @Test
    void autoFallsBackToCpuAndCpuCanBeForced() {
        assertThat(ComputeDevice.select(ComputeDevice.Preference.AUTO, null, false, 0).cuda()).isFalse();
        assertThat(ComputeDevice.select(ComputeDevice.Preference.CPU, 1, true, 2).toString()).isEqualTo("cpu");
        // This machine's build has no CUDA: auto must give the CPU.
        assertThat(ComputeDevice.select(ComputeDevice.Preference.AUTO, null).toString()).isEqualTo("cpu");
    }

    @Test
    void sparkAssignedGpuIndexIsUsedAndChecked() {
        ComputeDevice d = ComputeDevice.select(ComputeDevice.Preference.AUTO, ComputeDevice.sparkGpuIndex(List.of("1")), true, 2);
        assertThat(d.cuda()).isTrue();
        assertThat(d.index()).isEqualTo(1);
        assertThat(d.toString()).isEqualTo("cuda:1");
        assertThatThrownBy(() -> ComputeDevice.select(ComputeDevice.Preference.CUDA, 2, true, 2))
                .hasMessageContaining("GPU index 2").hasMessageContaining("2 visible CUDA devices");
        assertThatThrownBy(() -> ComputeDevice.select(ComputeDevice.Preference.CUDA, null, false, 0))
                .hasMessageContaining("sees no CUDA device");
        assertThatThrownBy(() -> ComputeDevice.sparkGpuIndex(List.of("0", "1"))).hasMessageContaining("one GPU per task");
        assertThat(ComputeDevice.sparkGpuIndex(List.of())).isNull();
        assertThatThrownBy(() -> ComputeDevice.Preference.parse("tpu")).hasMessageContaining("auto, cpu or cuda");
    }
}
