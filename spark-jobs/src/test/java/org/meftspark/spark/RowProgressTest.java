package org.meftspark.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rows done and ETA of a Spark job (issue 16 item 6), counted in tasks and summed on the driver. */
class RowProgressTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        TestSupport.stopAnySession();
        // Heartbeats every 200 ms instead of 10 s, so a task of a few seconds reports its rows while it runs.
        spark = SparkSession.builder().master("local[2]").appName("row-progress-test")
                .config("spark.executor.heartbeatInterval", "200ms").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static JavaRDD<Integer> slowRows(int rows, int partitions, long millisPerRow) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(IntStream.range(0, rows).boxed().toList(), partitions).map(i -> {
                    Thread.sleep(millisPerRow);
                    return i;
                });
    }

    @Test
    void taskCountsAddFinishedAndRunningAttemptsAndDropFailedOnes() {
        RowProgress.TaskCounts c = new RowProgress.TaskCounts();
        c.running(1, 5);
        c.running(2, 3);
        c.running(1, 7);
        assertThat(c.total()).isEqualTo(10);
        c.ended(1, 9, true);
        c.running(1, 8); // a heartbeat sent before task 1 ended, delivered after
        assertThat(c.total()).isEqualTo(12);
        c.ended(2, 4, false); // a failed attempt: its rows will be done again by the next one
        assertThat(c.total()).isEqualTo(9);
        c.ended(3, 0, true); // a task of another stage
        assertThat(c.total()).isEqualTo(9);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aLongTaskShowsItsRowsWhileItRunsAndTheLastLineHasTheTotal() {
        StringWriter text = new StringWriter();
        try (RowProgress p = RowProgress.start(spark, "test", 40, new PrintWriter(text, true), false,
                Duration.ofMillis(100))) {
            assertThat(p.countDone(slowRows(40, 1, 75)).count()).isEqualTo(40);
        }
        List<String> lines = text.toString().lines().toList();
        assertThat(lines).as(text.toString()).last().asString().matches("test: rows 40/40 rows/s \\d+ eta 0m00s");
        assertThat(lines).as("a line while the only task runs:%n%s", text)
                .anyMatch(l -> l.matches("test: rows ([1-9]|[1-3][0-9])/40 rows/s \\d+ eta \\d+m\\d\\ds"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aTotalCountedByTheStageBeforeIsTheTotalOfTheStageAfter() {
        StringWriter text = new StringWriter();
        try (RowProgress p = RowProgress.counting(spark, "test", new PrintWriter(text, true))) {
            JavaRDD<Integer> afterShuffle = p.countSeen(slowRows(24, 2, 1)).repartition(1);
            assertThat(p.countDone(afterShuffle.map(i -> {
                Thread.sleep(50);
                return i;
            })).count()).isEqualTo(24);
        }
        assertThat(text.toString().lines().toList()).as(text.toString()).isNotEmpty().last().asString()
                .matches("test: rows 24/24 rows/s \\d+ eta 0m00s");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void nothingIsPrintedWhenNoRowWasCounted() {
        StringWriter text = new StringWriter();
        try (RowProgress p = RowProgress.counting(spark, "test", new PrintWriter(text, true))) {
            assertThat(slowRows(3, 1, 0).count()).isEqualTo(3);
        }
        assertThat(text.toString()).isEmpty();
    }
}
