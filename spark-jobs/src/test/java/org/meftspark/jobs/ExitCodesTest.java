package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.meftspark.config.ConfigException;
import org.meftspark.data.UnusableInputException;
import org.meftspark.shard.ShardVerificationException;
import org.meftspark.spark.GpuScheduling;
import org.meftspark.spark.OutputConflictException;

/** The policy table of {@link ExitCodes}, one row at a time. */
class ExitCodesTest {

    @Test
    void whatTheUserWroteWrongIsTwo() {
        assertThat(ExitCodes.of(new ConfigException("run.yaml:2:3: training.optimiser: unknown key"))).isEqualTo(2);
        assertThat(ExitCodes.of(new IllegalArgumentException("--split x: the shard set has the splits [dev]")))
                .isEqualTo(2);
        assertThat(ExitCodes.of(new OutputConflictException("output exists; pass --overwrite"))).isEqualTo(2);
        Throwable unschedulable = catchThrowable(() -> GpuScheduling.requireGpuScheduling(
                new SparkConf(false).set("spark.master", "local[2]"), 1));
        assertThat(unschedulable).isInstanceOf(GpuScheduling.UnschedulableException.class);
        assertThat(ExitCodes.of(unschedulable)).isEqualTo(2);
    }

    @Test
    void whatWentWrongWhileRunningIsOne() {
        assertThat(ExitCodes.of(new UnusableInputException("in.jsonl: no such file", null))).isEqualTo(1);
        assertThat(ExitCodes.of(new ShardVerificationException("no manifest.json"))).isEqualTo(1);
        assertThat(ExitCodes.of(new UncheckedIOException(new IOException("disk full")))).isEqualTo(1);
        assertThat(ExitCodes.of(new IllegalStateException("train meft: stopped at step 3 of 9"))).isEqualTo(1);
        // Bad data found at run time, even where the JDK calls it an illegal argument.
        assertThat(ExitCodes.of(new NumberFormatException("For input string: \"x\""))).isEqualTo(1);
        // A task's IllegalArgumentException (one bad record) reaches the driver inside a SparkException.
        assertThat(ExitCodes.of(new SparkException("Job aborted", new IllegalArgumentException("bad record"))))
                .isEqualTo(1);
    }
}
