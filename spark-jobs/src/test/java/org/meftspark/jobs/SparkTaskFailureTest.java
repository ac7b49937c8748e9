package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.FetchFailed;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meftspark.config.DataSection;
import org.meftspark.jobs.evaluate.Evaluate;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.jobs.score.Score;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.FaultyFileSystem;
import org.meftspark.spark.StandaloneCluster;
import org.meftspark.spark.TestSupport;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;

/**
 * Issue 9 item 2: Spark task failures in the preprocessing, scoring and evaluation jobs, on a
 * standalone master with two workers on two loopback addresses (two hosts to the scheduler, which
 * speculation needs), spark.task.maxFailures 4 and speculation on. Faults come from
 * {@link FaultyFileSystem} (test-only; the jobs do not know): a task's first attempt fails opening
 * its input, or after writing part of an output file; a straggler stops in the middle of a write,
 * ignores being killed, and goes on after the job has moved past it; an executor's JVM dies while
 * it writes a shard, with its shuffle files and cached blocks. Every faulty run is compared with a
 * clean run in the same session.
 */
@Tag("integration")
@Timeout(value = 12, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkTaskFailureTest {
    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static SparkSession spark;
    static Path inputs;
    static Path cleanShards;
    static final Tasks tasks = new Tasks();

    @BeforeAll
    static void start() throws Exception {
        cluster = TestSupport.startHosts(dir.resolve("cluster"), 2);
        Map<String, String> conf = new TreeMap<>(Map.of(
                "spark.task.maxFailures", "4",
                "spark.speculation", "true",
                "spark.speculation.interval", "100ms",
                "spark.speculation.quantile", "0.5",
                "spark.speculation.multiplier", "1.5",
                // Decide by duration alone: the straggler's progress rate is not what is being tested.
                "spark.speculation.efficiency.enabled", "false",
                "spark.sql.shuffle.partitions", "2"));
        FaultyFileSystem.install((k, v) -> conf.put("spark.hadoop." + k, v));
        spark = TestSupport.sessionOn(cluster, 0, null, conf);
        spark.sparkContext().addSparkListener(tasks);
        inputs = dir.resolve("in");
        PreprocessFixtures.writeInputs(spark, inputs);
        cleanShards = dir.resolve("clean");
        Preprocess.run(spark, PreprocessFixtures.config(inputs, cleanShards));
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void noFaults() {
        FaultyFileSystem.clear(hadoop());
        hadoop().unset("meft.faults.straggle.at");
        hadoop().unset("meft.faults.straggle.until-killed");
        hadoop().unset("meft.faults.halt.after");
        hadoop().unset("meft.faults.halt.once");
        tasks.reset();
    }

    static Configuration hadoop() {
        return spark.sparkContext().hadoopConfiguration();
    }

    @Test
    @Order(1)
    void preprocessingWithFirstAttemptsFailingOnReadAndMidWriteWritesTheCleanRunsBytes() throws Exception {
        Path out = dir.resolve("p-faulty");
        // Every task that reads an input fails once; so does every task writing a shard or a _rejects part,
        // after 100 bytes (the shard's attempt file and Spark's task file in _temporary stay half-written).
        hadoop().set("meft.faults.open", ".*/in/[^/]*\\.jsonl?");
        hadoop().set("meft.faults.write", ".*(\\.attempt-.*|/_rejects/.*part-.*)");
        hadoop().setLong("meft.faults.write.after", 100);
        Preprocess.run(spark, PreprocessFixtures.config(inputs, out));
        tasks.awaitIdle();
        assertThat(tasks.failed("injected failure opening")).as("read tasks failed once").isGreaterThanOrEqualTo(5);
        assertThat(tasks.failed("injected failure after writing")).as("write tasks failed once").isGreaterThanOrEqualTo(3);
        assertSameShardSet(out);
    }

    /**
     * The first attempt of shard 0 has written all its rows and stops as it syncs its file, the last
     * step before publishing it; speculation runs a copy on the other host, the job goes on, and the
     * straggler (unaware it was killed) finishes its commit later: while the driver writes the rejects
     * into the staging directory, or after the output was committed.
     */
    @ParameterizedTest(name = "straggler goes on {0}")
    @ValueSource(strings = {"before the commit", "after the commit"})
    @Order(2)
    void aShardWriterThatStragglesPastTheJobLeavesNothingBehind(String when) throws Exception {
        Path parent = Files.createDirectories(dir.resolve("straggle-" + when.replace(' ', '-')));
        Path out = parent.resolve("shards");
        hadoop().set("meft.faults.straggle", ".*part-00000\\.attempt-.*");
        hadoop().set("meft.faults.straggle.at", "sync");
        hadoop().setInt("meft.faults.straggle.partition", 0);
        hadoop().set("meft.faults.straggle.until", when.startsWith("before") ? parent + "/.shards.staging-*/_rejects"
                : out + "/manifest.json");
        hadoop().setLong("meft.faults.straggle.max-ms", 90_000);
        // The driver writes a small _rejects/ itself, milliseconds after the winning copy: wait for the kill too.
        hadoop().setBoolean("meft.faults.straggle.until-killed", true);
        Preprocess.run(spark, PreprocessFixtures.config(inputs, out));
        tasks.awaitIdle();
        assertThat(tasks.speculative.get()).as("speculative copies launched").isGreaterThanOrEqualTo(1);
        // The worker copies an executor's stderr to its file in the background: wait for the straggler's last line.
        String goesOn = FaultyFileSystem.MARK + ": straggler goes on at file:" + parent;
        for (int i = 0; i < 100 && !executorLogs().contains(goesOn); i++) {
            Thread.sleep(200);
        }
        assertThat(executorLogs()).as("the straggler went on after the job had moved past it").contains(goesOn)
                .containsPattern(java.util.regex.Pattern.quote(goesOn) + "[^\\n]* after being killed");
        assertSameShardSet(out);
        try (Stream<Path> s = Files.list(parent)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no staging directory left or brought back")
                    .containsExactly("shards");
        }
    }

    @Test
    @Order(3)
    void scoringWithFailedFirstAttemptsAndAStragglerGivesTheCleanRunsResults() throws Exception {
        Path preds = Files.createDirectories(dir.resolve("preds"));
        List<TokenizedExample> eval = ShardReader.open(new LocalShardStore(cleanShards), ByteTokenizer.FINGERPRINT)
                .rows().toList();
        ObjectMapper json = new ObjectMapper();
        for (int f = 0; f < 2; f++) {
            StringBuilder b = new StringBuilder();
            for (int i = f; i < eval.size(); i += 2) {
                TokenizedExample t = eval.get(i);
                String p = i % 3 == 0 ? "wrong" : t.references().isEmpty() ? "" : t.references().get(0);
                b.append(json.writeValueAsString(Map.of("id", t.id(), "prediction", p))).append('\n');
            }
            Files.writeString(preds.resolve("p" + f + ".jsonl"), b);
        }
        Score.Result clean = Score.run(spark, scoreOptions(preds, "s-clean"));
        tasks.awaitIdle();

        hadoop().set("meft.faults.open", ".*/(preds/.*\\.jsonl|clean/part-.*\\.arrow)");
        hadoop().set("meft.faults.write", ".*/(predictions|_rejects|duplicates)/.*part-.*");
        hadoop().setLong("meft.faults.write.after", 100);
        hadoop().set("meft.faults.straggle", ".*/preds/p0\\.jsonl");
        hadoop().setInt("meft.faults.straggle.partition", 1);
        hadoop().set("meft.faults.straggle.until", dir + "/.s-faulty.staging-*/predictions");
        hadoop().setLong("meft.faults.straggle.max-ms", 90_000);
        Score.Result faulty = Score.run(spark, scoreOptions(preds, "s-faulty"));
        tasks.awaitIdle();
        assertThat(tasks.failed("injected failure opening")).isGreaterThanOrEqualTo(2);
        assertThat(tasks.failed("injected failure after writing")).isGreaterThanOrEqualTo(1);

        assertThat(faulty.counts()).isEqualTo(clean.counts());
        assertSameResults(dir.resolve("s-clean"), dir.resolve("s-faulty"), List.of("unknown_predictions",
                "missing_predictions", "duplicates", "_rejects"));
    }

    @Test
    @Order(4)
    void evaluationWithFailedFirstAttemptsGivesTheCleanRunsResults() throws Exception {
        String[] settings = {"evaluation.max_new_tokens=4", "evaluation.batch_size=4", "evaluation.bootstrap_samples=20"};
        Evaluate.Options clean = new Evaluate.Options(null, dir.resolve("e-clean").toString(), false, List.of(), List.of(), null);
        Evaluate.Result a = Evaluate.run(spark, PreprocessFixtures.config(inputs, cleanShards, settings), clean);
        tasks.awaitIdle();

        hadoop().set("meft.faults.open", ".*/clean/part-.*\\.arrow");
        hadoop().set("meft.faults.write", ".*/predictions/.*part-.*");
        hadoop().setLong("meft.faults.write.after", 100);
        Evaluate.Options faulty = new Evaluate.Options(null, dir.resolve("e-faulty").toString(), false, List.of(), List.of(), null);
        Evaluate.Result b = Evaluate.run(spark, PreprocessFixtures.config(inputs, cleanShards, settings), faulty);
        tasks.awaitIdle();
        assertThat(tasks.failed("injected failure opening")).isGreaterThanOrEqualTo(2);
        assertThat(tasks.failed("injected failure after writing")).isGreaterThanOrEqualTo(1);

        assertThat(b.rows()).isEqualTo(a.rows());
        assertSameResults(dir.resolve("e-clean"), dir.resolve("e-faulty"), List.of());
    }


    /**
     * An executor dies while it writes a shard (its JVM halts: no shutdown hooks, no goodbye to the
     * driver, as when the OOM killer ends it). With it go its cached partitions of the tokenized
     * records and the map outputs of the dedup shuffle it wrote (no external shuffle service), so
     * Spark must recompute them from the inputs; the worker starts a new executor meanwhile. Last in
     * the class, so the earlier tests run on the executors they started with.
     */
    @Test
    @Order(5)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anExecutorThatDiesWritingAShardIsReplacedAndTheJobWritesTheCleanRunsBytes() throws Exception {
        Path parent = Files.createDirectories(dir.resolve("halt"));
        Path out = parent.resolve("shards");
        // The first shard file any task writes past 100 bytes (local or shared, whichever comes first).
        hadoop().set("meft.faults.halt", ".*/\\.shards\\.staging-[^/]*/[^/]*part-[0-9]+\\.attempt-.*");
        hadoop().setLong("meft.faults.halt.after", 100);
        hadoop().set("meft.faults.halt.once", dir.resolve("halted").toString());
        Preprocess.run(spark, PreprocessFixtures.config(inputs, out));
        tasks.awaitIdle();
        System.out.println("executor loss: " + tasks.lossReport());
        assertThat(dir.resolve("halted")).as("an executor claimed the halt").exists();
        assertThat(tasks.removed).as("executors removed").hasSize(1);
        assertThat(tasks.lost.get()).as("tasks lost with their executor").isGreaterThanOrEqualTo(1);
        String halted = FaultyFileSystem.MARK + ": halting the executor after 100 bytes of file:" + parent;
        for (int i = 0; i < 100 && !executorLogs().contains(halted); i++) { // copied to the file in the background
            Thread.sleep(200);
        }
        assertThat(executorLogs()).as("the executor's last words").contains(halted);
        assertSameShardSet(out);
        try (Stream<Path> s = Files.list(parent)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no staging directory left").containsExactly("shards");
        }
    }

    // ------------------------------------------------------------------------------------------

    /** What the executors printed (their stderr files in the workers' folders). */
    static String executorLogs() throws Exception {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.walk(cluster.workDir())) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                b.append(Files.readString(p));
            }
        }
        return b.toString();
    }

    static Score.Options scoreOptions(Path preds, String out) {
        return new Score.Options(preds.toString(), Score.PredictionFormat.AUTO, cleanShards.toString(), null,
                DataSection.Format.AUTO, dir.resolve(out).toString(), false, "test", 50, 3, 5, 2);
    }

    /** The faulty run's shard set is the clean run's, byte for byte, readable, without duplicates or stray files. */
    static void assertSameShardSet(Path out) throws Exception {
        Map<String, byte[]> want = files(cleanShards);
        Map<String, byte[]> got = files(out);
        assertThat(got.keySet()).as("files of %s", out).containsExactlyElementsOf(want.keySet());
        for (String f : want.keySet()) {
            assertThat(got.get(f)).as(f).isEqualTo(want.get(f));
        }
        List<TokenizedExample> rows = ShardReader.open(new LocalShardStore(out), ByteTokenizer.FINGERPRINT).rows().toList();
        assertThat(rows).extracting(TokenizedExample::id).doesNotHaveDuplicates().hasSize(PreprocessFixtures.VALID_ROWS);
    }

    /**
     * Every file under {@code root} by relative path (hidden ones included: a stray temporary file is
     * a failure too). Spark names the files of a DataFrame write with a per-job UUID, which is removed;
     * checksums (.crc) are left out, as their files are compared.
     */
    static Map<String, byte[]> files(Path root) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                if (rel.endsWith(".crc")) {
                    continue;
                }
                out.put(rel.replaceAll("-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", ""), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /**
     * A scoring or evaluation result equals the clean run's: the same files; metrics.json equal but for
     * the timing and timestamp fields; the per-example Parquet rows equal as a sorted row set (Spark may
     * split and order part files differently when tasks were retried; the rows are what readers see);
     * the JSON-lines listings equal as sorted line sets, for the same reason.
     */
    static void assertSameResults(Path clean, Path faulty, List<String> listings) throws Exception {
        Map<String, byte[]> a = files(clean);
        Map<String, byte[]> b = files(faulty);
        assertThat(b.keySet().stream().filter(k -> !k.startsWith("predictions/part-"))).as("files of %s", faulty)
                .containsExactlyElementsOf(a.keySet().stream().filter(k -> !k.startsWith("predictions/part-")).toList());
        assertThat(b.keySet()).noneMatch(k -> k.contains("_temporary") || k.endsWith(".tmp") || k.contains("staging"));
        assertThat(metrics(faulty)).isEqualTo(metrics(clean));
        List<String> want = rows(clean);
        assertThat(rows(faulty)).isEqualTo(want);
        assertThat(want).hasSizeGreaterThan(3);
        for (String l : listings) {
            assertThat(lines(faulty.resolve(l))).as(l).isEqualTo(lines(clean.resolve(l)));
        }
        try (Stream<Path> s = Files.list(faulty.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("." + faulty.getFileName()));
        }
    }

    static String metrics(Path out) throws Exception {
        ObjectNode m = (ObjectNode) new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        for (var it = m.findParents("seconds").iterator(); it.hasNext(); ) {
            ((ObjectNode) it.next()).remove("seconds");
        }
        m.findParents("createdAt").forEach(n -> ((ObjectNode) n).remove("createdAt"));
        // Model loads per run: the executors of the clean run already hold the model, so a later run loads none.
        m.findParents("model_loads").forEach(n -> ((ObjectNode) n).remove("model_loads"));
        return m.toPrettyString();
    }

    static List<String> rows(Path out) {
        List<String> r = new ArrayList<>(spark.read().parquet(out.resolve("predictions").toString()).collectAsList()
                .stream().map(Row::toString).toList());
        r.sort(null);
        return r;
    }

    static List<String> lines(Path folder) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                out.addAll(Files.readAllLines(p));
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Counts task failures by message, speculative copies, lost executors (and what followed: tasks lost
     * with them, fetch failures, resubmitted stages, new executors), and waits for stragglers to end.
     */
    static final class Tasks extends SparkListener {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        final AtomicInteger speculative = new AtomicInteger();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> removed = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger added = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger fetchFailed = new AtomicInteger();
        final AtomicInteger resubmitted = new AtomicInteger();

        void reset() {
            speculative.set(0);
            failures.clear();
            removed.clear();
            added.set(0);
            lost.set(0);
            fetchFailed.set(0);
            resubmitted.set(0);
        }

        String lossReport() {
            return "removed " + removed + ", executors added " + added + ", tasks lost " + lost + ", fetch failures "
                    + fetchFailed + ", stage attempts after the first " + resubmitted;
        }

        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
            removed.add(e.executorId() + ": " + e.reason());
        }

        @Override
        public void onExecutorAdded(SparkListenerExecutorAdded e) {
            added.incrementAndGet();
        }

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted e) {
            if (e.stageInfo().attemptNumber() > 0) {
                resubmitted.incrementAndGet();
            }
        }

        long failed(String what) {
            synchronized (failures) {
                return failures.stream().filter(f -> f.contains(FaultyFileSystem.MARK) && f.contains(what)).count();
            }
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart e) {
            started.incrementAndGet();
            if (e.taskInfo().speculative()) {
                speculative.incrementAndGet();
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            if (e.reason() instanceof ExceptionFailure f) {
                failures.add(f.toErrorString());
            } else if (e.reason() instanceof ExecutorLostFailure) {
                lost.incrementAndGet();
            } else if (e.reason() instanceof FetchFailed) {
                fetchFailed.incrementAndGet();
            }
            ended.incrementAndGet();
        }

        /** Until every task started has ended (a killed straggler ends when it notices): at most 90 s. */
        void awaitIdle() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (started.get() != ended.get() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(500); // the listener bus delivers asynchronously
            assertThat(ended.get()).as("tasks ended").isEqualTo(started.get());
        }
    }
}
