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
 * @param rssAnonBytes    the anonymous part of RSS (RssAnon): memory the process allocated (heap, malloc, libtorch)
 * @param rssFileBytes    the file-backed part (RssFile): pages of mapped files, mostly libtorch's shared libraries,
 *                        which the kernel pages in as code paths run and may drop again
 * @param threads         the process's threads (a new thread brings a stack and possibly a malloc arena)
 */
record MemorySample(double seconds, long step, long heapUsedBytes, long rssBytes, long javacppBytes, long javacppPointers,
                    long rssAnonBytes, long rssFileBytes, long threads) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the process now. Runs a full GC first, so call it once a minute, not once a step. */
    @SuppressWarnings("removal") // System.gc is the point: the live heap, not the allocation rate
    static MemorySample now(double seconds, long step) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Map<String, Long> status = procStatus();
        return new MemorySample(seconds, step, heap, ResidentMemory.bytes(), Pointer.totalBytes(), Pointer.totalCount(),
                status.getOrDefault("RssAnon", -1L), status.getOrDefault("RssFile", -1L), status.getOrDefault("Threads", -1L));
    }

    /** The numeric lines of /proc/self/status, kB values in bytes; empty where there is no /proc. */
    private static Map<String, Long> procStatus() {
        Map<String, Long> out = new java.util.HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                int colon = line.indexOf(':');
                String[] v = line.substring(colon + 1).trim().split("\\s+");
                if (colon > 0 && v[0].matches("[0-9]+")) {
                    out.put(line.substring(0, colon), Long.parseLong(v[0]) * (v.length > 1 && v[1].equals("kB") ? 1024 : 1));
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    String toJson() {
        try {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("seconds", seconds);
            m.put("step", step);
            m.put("heap_used_bytes", heapUsedBytes);
            m.put("rss_bytes", rssBytes);
            m.put("rss_anon_bytes", rssAnonBytes);
            m.put("rss_file_bytes", rssFileBytes);
            m.put("threads", threads);
            m.put("javacpp_bytes", javacppBytes);
            m.put("javacpp_pointers", javacppPointers);
            return JSON.writeValueAsString(m);
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
                    n.get("rss_bytes").asLong(), n.get("javacpp_bytes").asLong(), n.get("javacpp_pointers").asLong(),
                    n.path("rss_anon_bytes").asLong(-1), n.path("rss_file_bytes").asLong(-1), n.path("threads").asLong(-1)));
        }
        return out;
    }
}
