package org.meftspark.spark;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.meftspark.train.ConsoleProgress;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Rows done out of the total, with the rate and the ETA, for a job whose work is counted in rows
 * (evaluate, preprocess), printed the way training prints its steps ({@link ConsoleProgress#rowsLine},
 * a bar redrawn in place on a terminal, plain lines otherwise): {@code evaluate: rows 1200/5000 rows/s 310
 * eta 4m05s}, a last line when the work is done.
 *
 * <p>The rows are processed by executor tasks, which count them in accumulators ({@link #countDone},
 * {@link #countSeen}). This listener on the driver adds up a finished task's count from its end event and
 * a running task's latest count from its executor's heartbeat ({@code spark.executor.heartbeatInterval},
 * 10 s by default), so the line moves while long tasks run, not only as they end. A failed attempt's rows
 * are dropped; rows of a task that is computed again (a lost cache block) count twice, which only makes
 * the line reach the total early.
 *
 * <p>The total is known before the work (evaluate: the rows of the chosen splits), or counted by an
 * earlier stage with {@link #countSeen} (preprocess: the records read, before the tokenizing stage after
 * the dedup shuffle). A counted total must be complete before the first row is done, which a shuffle or an
 * earlier job between the two guarantees; until then the line shows the rows seen.
 */
public final class RowProgress extends SparkListener implements AutoCloseable {
    /** Shortest time between two lines on a terminal, where each redraws the last. */
    static final Duration TERMINAL_EVERY = Duration.ofSeconds(2);
    /** Shortest time between two plain lines, which stay in the log. */
    static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private final SparkSession spark;
    private final String name;
    private final long knownTotal;
    private final PrintWriter out;
    private final boolean terminal;
    private final long everyMs;
    private final LongAccumulator done;
    private final LongAccumulator seen;
    private final TaskCounts doneCounts;
    private final TaskCounts seenCounts;
    private final Map<Integer, Long> stageSubmitted = new HashMap<>();
    private final long createdMs = System.currentTimeMillis();
    private long doneSinceMs = -1;
    private long seenSinceMs = -1;
    private long lastPrintMs;
    private String lastLine = "";
    private boolean lastComplete;
    private boolean closed;

    private RowProgress(SparkSession spark, String name, long knownTotal, PrintWriter out, boolean terminal,
                        Duration every) {
        this.spark = spark;
        this.name = name;
        this.knownTotal = knownTotal;
        this.out = out;
        this.terminal = terminal;
        this.everyMs = every.toMillis();
        this.done = spark.sparkContext().longAccumulator("meft " + name + " rows done");
        this.seen = spark.sparkContext().longAccumulator("meft " + name + " rows seen");
        this.doneCounts = new TaskCounts();
        this.seenCounts = new TaskCounts();
        spark.sparkContext().addSparkListener(this);
    }

    /** Progress over {@code total} rows known before the work, printed to {@code out}. */
    public static RowProgress start(SparkSession spark, String name, long total, PrintWriter out) {
        boolean terminal = System.console() != null;
        return new RowProgress(spark, name, total, out, terminal, terminal ? TERMINAL_EVERY : LOG_EVERY);
    }

    /** Progress whose total an earlier stage counts with {@link #countSeen}. */
    public static RowProgress counting(SparkSession spark, String name, PrintWriter out) {
        return start(spark, name, -1, out);
    }

    /** As {@link #start}, with the time between lines and the terminal choice given (tests). */
    static RowProgress start(SparkSession spark, String name, long total, PrintWriter out, boolean terminal,
                             Duration every) {
        return new RowProgress(spark, name, total, out, terminal, every);
    }

    /** {@code rdd}, counting each row its tasks hand on as done. */
    public <T> JavaRDD<T> countDone(JavaRDD<T> rdd) {
        return counted(rdd, done);
    }

    /** {@code rdd}, counting each row its tasks hand on towards the total. */
    public <T> JavaRDD<T> countSeen(JavaRDD<T> rdd) {
        return counted(rdd, seen);
    }

    private static <T> JavaRDD<T> counted(JavaRDD<T> rdd, LongAccumulator counter) {
        return rdd.mapPartitions(it -> new Iterator<T>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public T next() {
                T row = it.next();
                counter.add(1);
                return row;
            }
        }, true);
    }

    @Override
    public synchronized void onStageSubmitted(SparkListenerStageSubmitted event) {
        long at = event.stageInfo().submissionTime().isDefined()
                ? (Long) event.stageInfo().submissionTime().get() : System.currentTimeMillis();
        stageSubmitted.put(event.stageInfo().stageId(), at);
    }

    @Override
    public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate event) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
                : CollectionConverters.asJava(event.accumUpdates())) {
            long taskId = (Long) task._1();
            for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
                if (info.update().isDefined() && (info.id() == done.id() || info.id() == seen.id())) {
                    (info.id() == done.id() ? doneCounts : seenCounts).running(taskId,
                            ((Number) info.update().get()).longValue());
                    began(info.id(), (Integer) task._2());
                }
            }
        }
        maybePrint(false);
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
        long taskId = event.taskInfo().taskId();
        boolean ok = event.taskInfo().successful();
        long doneRows = 0;
        long seenRows = 0;
        for (AccumulableInfo info : CollectionConverters.asJava(event.taskInfo().accumulables())) {
            if (info.update().isDefined() && (info.id() == done.id() || info.id() == seen.id())) {
                long value = ((Number) info.update().get()).longValue();
                doneRows = info.id() == done.id() ? value : doneRows;
                seenRows = info.id() == seen.id() ? value : seenRows;
                began(info.id(), event.stageId());
            }
        }
        doneCounts.ended(taskId, doneRows, ok);
        seenCounts.ended(taskId, seenRows, ok);
        maybePrint(false);
    }

    /** Notes when the work of counter {@code id} began: when the first stage to report it was submitted. */
    private void began(long id, int stageId) {
        long since = stageSubmitted.getOrDefault(stageId, createdMs);
        if (id == done.id() && doneSinceMs < 0) {
            doneSinceMs = since;
        } else if (id == seen.id() && seenSinceMs < 0) {
            seenSinceMs = since;
        }
    }

    private void maybePrint(boolean last) {
        long now = System.currentTimeMillis();
        long rowsDone = Math.max(doneCounts.total(), last ? done.value() : 0);
        long rowsSeen = Math.max(seenCounts.total(), last ? seen.value() : 0);
        long total = knownTotal >= 0 ? knownTotal : rowsSeen;
        boolean doing = rowsDone > 0 || knownTotal >= 0; // else the total is still being counted
        if (!doing && rowsSeen == 0) {
            return;
        }
        long since = doing ? doneSinceMs : seenSinceMs;
        double seconds = (now - (since >= 0 ? since : createdMs)) / 1e3;
        String line = doing ? name + ": " + ConsoleProgress.rowsLine(Math.min(rowsDone, total), total, seconds)
                : name + " reading: " + ConsoleProgress.rowsLine(rowsSeen, -1, seconds);
        boolean complete = doing && rowsDone >= total;
        if (lastComplete || (!last && (now - lastPrintMs < everyMs || line.equals(lastLine)))) {
            return; // the complete line is printed once: by the task end that completed the work, or at close
        }
        out.print(terminal ? ConsoleProgress.bar(Math.min(rowsDone, total), total, line) : line + "\n");
        if (terminal && (last || complete)) {
            out.println(); // as the step bar does at the last step: what follows starts on a line of its own
        }
        out.flush();
        lastPrintMs = now;
        lastLine = line;
        lastComplete = complete;
    }

    /**
     * Stops listening and prints the last line (from the counters' values on the driver, exact once the
     * job that did the work has returned). A second call does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        spark.sparkContext().removeSparkListener(this);
        if (done.value() > 0 || seen.value() > 0 || doneCounts.total() > 0 || seenCounts.total() > 0) {
            maybePrint(true);
        }
    }

    /**
     * One counter across tasks: the sum of finished attempts' final counts and running attempts' latest.
     * A heartbeat can arrive after its task's end event: a task that counted is then remembered as ended
     * and the late count ignored.
     */
    static final class TaskCounts {
        private final Map<Long, Long> running = new HashMap<>();
        private final Set<Long> ended = new HashSet<>();
        private long finished;

        /** The latest count a running attempt reported. */
        void running(long taskId, long value) {
            if (!ended.contains(taskId)) {
                running.put(taskId, value);
            }
        }

        /** An attempt ended: its final count stays if it succeeded; a failed attempt's is dropped. */
        void ended(long taskId, long value, boolean successful) {
            if (running.remove(taskId) != null || value > 0) {
                ended.add(taskId);
            }
            if (successful) {
                finished += value;
            }
        }

        long total() {
            long sum = finished;
            for (long v : running.values()) {
                sum += v;
            }
            return sum;
        }
    }
}
