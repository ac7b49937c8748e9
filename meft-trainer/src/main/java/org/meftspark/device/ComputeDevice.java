package org.meftspark.device;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.Locale;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The one place that decides where tensors live. CUDA is used when the libtorch build in use
 * has CUDA and sees a GPU (the {@code gpu} Maven profile on a GPU host); otherwise the CPU.
 * Spark assigns each task a GPU address (TaskContext.resources().get("gpu")); it is passed in
 * here, never guessed.
 *
 * @param device the libtorch device
 * @param cuda   true on a GPU
 * @param index  GPU ordinal, -1 on the CPU
 */
public record ComputeDevice(Device device, boolean cuda, int index) {

    /** What the user asked for: {@code auto} (CUDA when available), {@code cpu}, or {@code cuda}. */
    public enum Preference {
        AUTO, CPU, CUDA;

        public static Preference parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("device must be auto, cpu or cuda, got '" + s + "'");
            }
        }
    }

    public static ComputeDevice cpu() {
        return new ComputeDevice(new Device(DeviceType.CPU), false, -1);
    }

    /**
     * @param preference     auto, cpu or cuda
     * @param sparkGpuIndex  the GPU address Spark assigned to this task, or null outside Spark / without a GPU resource
     */
    public static ComputeDevice select(Preference preference, Integer sparkGpuIndex) {
        return select(preference, sparkGpuIndex, cudaAvailable(), cudaAvailable() ? cuda_device_count() : 0);
    }

    /** The decision itself, separated from the probe so it can be tested on a machine without a GPU. */
    static ComputeDevice select(Preference preference, Integer sparkGpuIndex, boolean cudaAvailable, int deviceCount) {
        if (preference == Preference.CPU || (preference == Preference.AUTO && !cudaAvailable)) {
            return cpu();
        }
        if (!cudaAvailable) {
            throw new IllegalStateException("device=cuda was requested but this libtorch build sees no CUDA device "
                    + "(build with -Pgpu on a host with CUDA 13 and cuDNN 9, or use device=auto/cpu)");
        }
        int index = sparkGpuIndex == null ? 0 : sparkGpuIndex;
        if (index < 0 || index >= deviceCount) {
            throw new IllegalStateException("GPU index " + index + " (assigned by Spark) is outside the "
                    + deviceCount + " visible CUDA devices; check the GPU discovery script and CUDA_VISIBLE_DEVICES");
        }
        return new ComputeDevice(new Device(DeviceType.CUDA, (byte) index), true, index);
    }

    /** Parses Spark's resource addresses for "gpu" (one per task, e.g. ["0"]). */
    public static Integer sparkGpuIndex(java.util.List<String> addresses) {
        if (addresses == null || addresses.isEmpty()) {
            return null;
        }
        if (addresses.size() > 1) {
            throw new IllegalArgumentException("this trainer uses one GPU per task, Spark assigned " + addresses);
        }
        try {
            return Integer.parseInt(addresses.get(0).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("GPU address '" + addresses.get(0) + "' is not an integer ordinal");
        }
    }

    private static boolean cudaAvailable() {
        try {
            return cuda_is_available();
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /**
     * Host memory that the device can copy from asynchronously: page-locked on CUDA (meft-method.md
     * section 3, host-resident adapter rows), the tensor itself on the CPU where pinning means nothing.
     */
    public Tensor pinned(Tensor hostTensor) {
        return cuda ? hostTensor.pin_memory() : hostTensor;
    }

    @Override
    public String toString() {
        return cuda ? "cuda:" + index : "cpu";
    }
}
