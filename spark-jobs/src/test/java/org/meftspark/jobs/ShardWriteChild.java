package org.meftspark.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.Sessions;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.train.TinyDisk;

/**
 * Runs the preprocessing job into {@code MOUNT/shards} on a {@link TinyDisk}, one action per
 * argument after the first two: {@code small} writes the fixtures' shard set, {@code large}
 * replaces it ({@code data.overwrite}) with one from {@link #EXTRA_ROWS} more examples, too big
 * for the disk, {@code ro} remounts the disk read-only. Prints {@code ACTION: ok},
 * {@code ACTION: failed: MESSAGE} (the message's first line), then what the disk's top folder
 * holds and whether the shard set there verifies, for the test to check.
 * Args: mountPoint workDir actions... (workDir is on the real disk: inputs and Spark's local dir).
 */
public final class ShardWriteChild {
    /** About 150 byte tokens each: some 1.2 MiB of shards, several times the disk. */
    static final int EXTRA_ROWS = 2000;

    private ShardWriteChild() {
    }

    public static void main(String[] args) throws Exception {
        Path mount = Path.of(args[0]);
        Path work = Path.of(args[1]);
        Path out = mount.resolve("shards");
        // Persisted RDDs and shuffle files go to the real disk: the full disk must be the shard write's.
        SparkSession spark = Sessions.create("meft-tiny-disk", "local[1]", Map.of(
                "spark.local.dir", Files.createDirectories(work.resolve("spark-local")).toString(),
                "spark.sql.shuffle.partitions", "2"));
        try {
            Path small = work.resolve("in-small");
            Path large = work.resolve("in-large");
            PreprocessFixtures.writeInputs(spark, small);
            PreprocessFixtures.writeInputs(spark, large);
            appendQuestions(large.resolve("nq.jsonl"), EXTRA_ROWS);
            for (int i = 2; i < args.length; i++) {
                String action = args[i];
                if (action.equals("ro")) {
                    awaitNoRunningTasks(spark);
                    Process p = new ProcessBuilder("mount", "-o", "remount,ro", mount.toString()).inheritIO().start();
                    int exit = p.waitFor();
                    System.out.println("ro: exit " + exit);
                    if (exit != 0) {
                        // "mount point is busy": a file still open for writing, e.g. a failed write's stream not closed.
                        System.out.println("ro: open on the disk " + openFiles(mount));
                    }
                    continue;
                }
                try {
                    if (action.equals("small")) {
                        Preprocess.run(spark, PreprocessFixtures.config(small, out));
                    } else {
                        // A few large shards rather than hundreds of 600-token ones: the test stays quick.
                        Preprocess.run(spark, PreprocessFixtures.config(large, out, "data.overwrite=true",
                                "data.shard_tokens=100000", "data.shard_rows=64"));
                    }
                    System.out.println(action + ": ok");
                } catch (RuntimeException | IOException e) {
                    System.out.println(action + ": failed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                }
                System.out.println(action + ": listing " + listing(mount));
                System.out.println(action + ": verify " + verify(out));
            }
        } finally {
            spark.stop();
        }
        System.out.flush();
    }

    /** The names in the disk's top folder, sorted: a staging or replaced-aside folder would show here. */
    static String listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }

    /**
     * Spark does not interrupt the other tasks of a failed job (spark.job.interruptOnCancel is off): one
     * may still be writing its shard, into a deleted staging folder, when the job has already failed.
     * A file open for writing keeps the disk from being remounted read-only, so wait for such tasks.
     */
    private static void awaitNoRunningTasks(SparkSession spark) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (java.util.Arrays.stream(spark.sparkContext().statusTracker().getExecutorInfos())
                .anyMatch(e -> e.numRunningTasks() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** What this JVM holds open under {@code dir} (its file descriptors' targets). */
    static List<String> openFiles(Path dir) throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toString())) {
                        open.add(target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return open;
    }

    /** The shard set's row count after a full read with checksums, or why it does not verify. */
    private static String verify(Path out) {
        try {
            return ShardReader.open(new LocalShardStore(out), ByteTokenizer.FINGERPRINT).rows().count() + " rows";
        } catch (RuntimeException | IOException e) {
            return "failed: " + e.getMessage();
        }
    }

    /** Valid, distinct questions of random words (no two alike, so no contamination or duplicates among them). */
    private static void appendQuestions(Path file, int n) throws IOException {
        Random r = new Random(9);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder q = new StringBuilder("q" + i);
            for (int w = 0; w < 10; w++) {
                q.append(' ');
                int len = 3 + r.nextInt(6);
                for (int c = 0; c < len; c++) {
                    q.append((char) ('a' + r.nextInt(26)));
                }
            }
            lines.add("{\"question\": \"" + q + "\", \"answer\": [\"a" + i + "\"]}");
        }
        Files.write(file, lines, java.nio.file.StandardOpenOption.APPEND);
    }
}
