package org.meftspark.device;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.EnumMap;
import java.util.Map;

/**
 * Bytes held on the compute device, by {@link MemoryCategory}, with current and peak values per
 * category and for the total. Components record what they allocate and free; on CUDA the caching
 * allocator's own statistics are read alongside, so the two can be compared (the allocator
 * also counts temporaries and fragmentation that no component records).
 *
 * <p>Thread-safe: the trainer's host threads and the device thread may both record.
 */
public final class MemoryLedger {
    private final ComputeDevice device;
    private final EnumMap<MemoryCategory, Long> current = new EnumMap<>(MemoryCategory.class);
    private final EnumMap<MemoryCategory, Long> peak = new EnumMap<>(MemoryCategory.class);
    private long total;
    private long totalPeak;

    public MemoryLedger(ComputeDevice device) {
        this.device = device;
        for (MemoryCategory c : MemoryCategory.values()) {
            current.put(c, 0L);
            peak.put(c, 0L);
        }
    }

    /** Records {@code bytes} newly held in a category. */
    public synchronized void allocate(MemoryCategory c, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation " + bytes + " for " + c);
        }
        long now = current.get(c) + bytes;
        current.put(c, now);
        peak.put(c, Math.max(peak.get(c), now));
        total += bytes;
        totalPeak = Math.max(totalPeak, total);
    }

    /** Records {@code bytes} released from a category; releasing more than is held is a bookkeeping bug. */
    public synchronized void release(MemoryCategory c, long bytes) {
        long now = current.get(c) - bytes;
        if (bytes < 0 || now < 0) {
            throw new IllegalStateException("release of " + bytes + " bytes from " + c + " which holds " + current.get(c));
        }
        current.put(c, now);
        total -= bytes;
    }

    /** Sets a category's current value (for state re-measured each step, such as the KV cache). */
    public synchronized void set(MemoryCategory c, long bytes) {
        long held = current.get(c);
        if (bytes >= held) {
            allocate(c, bytes - held);
        } else {
            release(c, held - bytes);
        }
    }

    public synchronized long current(MemoryCategory c) {
        return current.get(c);
    }

    public synchronized long peak(MemoryCategory c) {
        return peak.get(c);
    }

    public synchronized long total() {
        return total;
    }

    /** Peak of the total: the most held at one time, not the sum of per-category peaks. */
    public synchronized long totalPeak() {
        return totalPeak;
    }

    /** Starts a new peak-measurement window (for example per training step) at the current values. */
    public synchronized void resetPeaks() {
        peak.putAll(current);
        totalPeak = total;
    }

    /** The CUDA caching allocator's view: {allocated current, allocated peak, reserved current, reserved peak}; empty on the CPU. */
    public long[] allocatorStats() {
        if (!device.cuda()) {
            return new long[0];
        }
        var stats = getDeviceStats((byte) device.index());
        // Index 0 of each StatArray is the aggregate over small and large pools.
        return new long[] {
                stats.allocated_bytes().current(), stats.allocated_bytes().peak(),
                stats.reserved_bytes().current(), stats.reserved_bytes().peak()};
    }

    /** One line per category, for logs and benchmark reports. */
    public synchronized String report() {
        StringBuilder sb = new StringBuilder("device memory on ").append(device).append(" (current / peak MiB)\n");
        for (Map.Entry<MemoryCategory, Long> e : current.entrySet()) {
            sb.append(String.format("  %-20s %10.2f / %10.2f%n", e.getKey(), mib(e.getValue()), mib(peak.get(e.getKey()))));
        }
        sb.append(String.format("  %-20s %10.2f / %10.2f%n", "TOTAL", mib(total), mib(totalPeak)));
        long[] a = allocatorStats();
        if (a.length == 4) {
            sb.append(String.format("  cuda allocator: allocated %.2f / %.2f, reserved %.2f / %.2f%n",
                    mib(a[0]), mib(a[1]), mib(a[2]), mib(a[3])));
        }
        return sb.toString();
    }

    private static double mib(long b) {
        return b / (1024.0 * 1024.0);
    }
}
