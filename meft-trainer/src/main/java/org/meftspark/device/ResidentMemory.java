package org.meftspark.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size, from {@code /proc/self/status} (VmRSS). It includes native
 * memory that libtorch allocates outside the Java heap, which is what leaks when tensors are not
 * freed inside a PointerScope (platform-notes.md).
 */
public final class ResidentMemory {
    private ResidentMemory() {
    }

    /** Resident bytes, or -1 where /proc is not available (not Linux). */
    public static long bytes() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L; // reported in kB
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
