package org.meftspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.meftspark.device.ResidentMemory;

/**
 * One memory reading of the soak's training process (issue 9, item 8).
 *
 * @param seconds         since training started
 * @param step            optimizer steps done when the sample was taken
 * @param heapUsedBytes   Java heap in use right after a full GC: the live set, so garbage not yet collected does not
 *                        look like growth
 * @param rssBytes        process resident set (VmRSS): heap, metaspace, threads and libtorch's native allocations
 * @param javacppBytes    native bytes JavaCPP accounts for (Pointer.totalBytes): what a tensor freed outside a
 *                        PointerScope would leak
 * @param javacppPointers live JavaCPP deallocators (Pointer.totalCount): grows by one per leaked Tensor handle
 */
record MemorySample(double seconds, long step, long heapUsedBytes, long rssBytes, long javacppBytes, long javacppPointers) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the process now. Runs a full GC first, so call it once a minute, not once a step. */
    @SuppressWarnings("removal") // System.gc is the point: the live heap, not the allocation rate
    static MemorySample now(double seconds, long step) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new MemorySample(seconds, step, heap, ResidentMemory.bytes(), Pointer.totalBytes(), Pointer.totalCount());
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(Map.of("seconds", seconds, "step", step, "heap_used_bytes", heapUsedBytes,
                    "rss_bytes", rssBytes, "javacpp_bytes", javacppBytes, "javacpp_pointers", javacppPointers));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<MemorySample> readAll(Path file) throws IOException {
        List<MemorySample> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            out.add(new MemorySample(n.get("seconds").asDouble(), n.get("step").asLong(), n.get("heap_used_bytes").asLong(),
                    n.get("rss_bytes").asLong(), n.get("javacpp_bytes").asLong(), n.get("javacpp_pointers").asLong()));
        }
        return out;
    }
}
