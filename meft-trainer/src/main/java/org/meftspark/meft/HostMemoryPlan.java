package org.meftspark.meft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Host bytes a MEFT neuron store needs, computed before anything is allocated (meft-method.md
 * section 5: per layer 2*N*d values times weights 4 + gradient 4 + moments 8 bytes in fp32, plus a
 * per-row step count and two bookkeeping flags). With frozen keys, the keys need no gradient or moments.
 *
 * @param layers        decoder layers, one store each
 * @param neurons       N, rows per layer
 * @param dim           d, the hidden size
 * @param freezeKeys    keys are not trained
 * @param bytesPerValue 4 for fp32 (8 in float64 tests)
 */
public record HostMemoryPlan(int layers, long neurons, long dim, boolean freezeKeys, int bytesPerValue) {

    /** Bytes of one layer's store. */
    public long bytesPerLayer() {
        long rowValues = neurons * dim;
        // values: weight, gradient, two moments; keys: weight, plus the same three when trained
        long tensors = 4 + (freezeKeys ? 1 : 4);
        return rowValues * bytesPerValue * tensors + neurons * Long.BYTES + 2 * neurons;
    }

    public long totalBytes() {
        return bytesPerLayer() * layers;
    }

    /**
     * Refuses, before allocation, a store that does not fit.
     *
     * @param budgetBytes what the store may use; see {@link #budgetBytes(double)}
     * @throws IllegalStateException with the sizes and what to change
     */
    public void requireFits(long budgetBytes) {
        if (totalBytes() > budgetBytes) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "the MEFT neuron store needs %s of host memory (%d layers x N=%d x d=%d, %s keys, %d-byte values) "
                            + "but only %s is available (adapter.host_memory_gb when set, and never more than 90%% of "
                            + "the memory this host reports available); lower adapter.neurons, set adapter.freeze_keys: "
                            + "true, or run on a host with more memory",
                    human(totalBytes()), layers, neurons, dim, freezeKeys ? "frozen" : "trained", bytesPerValue,
                    human(budgetBytes)));
        }
    }

    /** One line for logs and run metadata. */
    public String describe() {
        return String.format(Locale.ROOT, "MEFT host store: %s (%s per layer x %d layers, N=%d, d=%d%s)",
                human(totalBytes()), human(bytesPerLayer()), layers, neurons, dim, freezeKeys ? ", keys frozen" : "");
    }

    /**
     * The budget: 90% of MemAvailable from /proc/meminfo (the rest is headroom for the JVM and
     * libtorch), lowered to {@code gib} GiB when that is positive. A configured budget above what
     * the host has is capped too: with Linux overcommit the allocation itself would succeed and the
     * run would die later, in the OOM killer or in swap, instead of being refused before it starts.
     * Off Linux (no /proc/meminfo) the configured budget, or no limit, applies.
     */
    public static long budgetBytes(double gib) {
        long avail = availableBytes();
        long host = avail > 0 ? (long) (avail * 0.9) : Long.MAX_VALUE;
        return gib > 0 ? Math.min((long) (gib * (1L << 30)), host) : host;
    }

    /** MemAvailable in bytes, or -1 where /proc/meminfo is absent. */
    public static long availableBytes() {
        Path p = Path.of("/proc/meminfo");
        if (!Files.isReadable(p)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(p)) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.substring(13).trim().split("\\s+")[0]) * 1024L;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static String human(long bytes) {
        double g = bytes / (double) (1L << 30);
        return g >= 1 ? String.format(Locale.ROOT, "%.2f GiB", g) : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
