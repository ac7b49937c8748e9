package org.meftspark.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meftspark.spark.Launchers;

/**
 * What one launcher run cost (issue 9, item 8), measured from outside the job so the job runs exactly as a
 * user starts it: the JVM's heap from its own GC log ({@code -Xlog:gc}) and the process's peak resident set
 * from {@code /proc/<pid>/status} (VmHWM; {@code bin/meft} execs java, so the pid is the JVM's).
 *
 * @param seconds     wall time of the launcher
 * @param heap        the -Xmx given (MEFT_HEAP)
 * @param peakHeapMiB the largest heap occupancy the GC logged before a collection: the most the heap held
 * @param liveHeapMiB the largest occupancy right after a collection: the most that was still reachable
 * @param peakRssMiB  the process's resident high-water mark (heap, Spark's off-heap buffers, natives, threads)
 * @param pauses      collections logged
 * @param stdout      the launcher's output
 */
record LoadMeasurement(double seconds, String heap, long peakHeapMiB, long liveHeapMiB, long peakRssMiB, int pauses,
                       List<String> stdout) {
    /** "28M->20M(380M)" in a G1 pause line; sizes in K, M or G. */
    private static final Pattern SIZES = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    static LoadMeasurement run(List<String> command, String heap, Path gcLog, Duration limit)
            throws IOException, InterruptedException {
        AtomicLong hwmKiB = new AtomicLong(-1);
        long t0 = System.nanoTime();
        List<String> out = Launchers.run(command, 0, Map.of("MEFT_HEAP", heap, "MEFT_JAVA_OPTS", "-Xlog:gc:file=" + gcLog),
                limit, p -> pollPeakRss(p, hwmKiB));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long before = 0;
        long after = 0;
        int pauses = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = SIZES.matcher(line);
            if (line.contains("Pause") && m.find()) {
                pauses++;
                before = Math.max(before, mib(m.group(1), m.group(2)));
                after = Math.max(after, mib(m.group(3), m.group(4)));
            }
        }
        return new LoadMeasurement(seconds, heap, before, after, hwmKiB.get() / 1024, pauses, out);
    }

    /** A markdown table row: what, rows, time, rows/s, heap, peak heap, live heap, peak RSS, collections. */
    String row(String what, long rows) {
        return String.format(java.util.Locale.ROOT, "| %s | %,d | %.0f s | %,.0f | -Xmx%s | %,d MiB | %,d MiB | %,d MiB | %d |",
                what, rows, seconds, rows / seconds, heap, peakHeapMiB, liveHeapMiB, peakRssMiB, pauses);
    }

    private static long mib(String n, String unit) {
        long v = Long.parseLong(n);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }

    /** Reads VmHWM (the kernel's own high-water mark) once a second until the process ends; keeps the last. */
    private static void pollPeakRss(Process p, AtomicLong hwmKiB) {
        Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
        Thread t = new Thread(() -> {
            while (p.isAlive()) {
                try {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmHWM:")) {
                            hwmKiB.set(Long.parseLong(line.substring(6).trim().split("\\s+")[0]));
                        }
                    }
                    Thread.sleep(1000);
                } catch (IOException | RuntimeException e) {
                    return; // the process ended between the check and the read
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "rss-poll");
        t.setDaemon(true);
        t.start();
    }
}
