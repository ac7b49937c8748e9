package org.meftspark.jobs.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** The reason and the wording of a failed write after the shards (the integration test is OutputResourceFaultTest). */
class WriteFailureTest {
    @Test
    void theReasonIsTheInnermostIoErrorsFirstLine() {
        // As Spark hands a failed write task to the driver: job abort, task write failure, an Error around ENOSPC
        // (Hadoop's FSError, whose constructor is not public).
        Throwable e = new SparkException("Job aborted due to stage failure: many\nlines",
                new SparkException("[TASK_WRITE_FAILED] Task failed while writing rows to file:/x. SQLSTATE: 58030",
                        new Error(new IOException("No space left on device\n\tat somewhere"))));
        assertThat(WriteFailure.ioReason(e)).isEqualTo("No space left on device");
    }

    @Test
    void aFailureThatIsNotAnIoErrorHasNoReason() {
        Throwable e = new SparkException("Job aborted", new IllegalStateException("a bug"));
        assertThat(WriteFailure.ioReason(e)).isNull();
    }

    @Test
    void theMessageSaysWhatToDo() {
        IOException cause = new IOException("No space left on device");
        var e = WriteFailure.of("cannot write the rejects to file:/x/_rejects: No space left on device", cause);
        assertThat(e).hasMessage("preprocess: cannot write the rejects to file:/x/_rejects: No space left on device; "
                + "nothing was published to data.shards (a shard set already there is unchanged). Free space or fix the "
                + "permissions there and run again").hasRootCause(cause);
    }
}
