package org.meftspark.jobs.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;

/**
 * Debug hooks of the training stage, for its fault tests (issue 17): off unless set in the Hadoop
 * configuration ({@code spark.hadoop.meft.debug.train.*}). Never set them in a real run.
 * <ul>
 *   <li>{@code meft.debug.train.halt = R@S}: the executor running rank R halts after step S (its JVM
 *       ends at once, as a lost executor's does), once: the first rank to create the marker file
 *       {@code meft.debug.train.halt.once} (a local path) halts, later attempts train on.</li>
 *   <li>{@code meft.debug.train.stall = R@S}: rank R stops answering after step S, for
 *       {@code meft.debug.train.stall.seconds} (default an hour) or until Spark kills its task.</li>
 * </ul>
 *
 * @param halt      "R@S" or null
 * @param haltOnce  the marker file, or null
 * @param stall     "R@S" or null
 * @param stallS    seconds a stall lasts
 */
record TrainFaults(String halt, String haltOnce, String stall, long stallS) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    static TrainFaults from(Configuration conf) {
        return new TrainFaults(conf.get("meft.debug.train.halt"), conf.get("meft.debug.train.halt.once"),
                conf.get("meft.debug.train.stall"), conf.getLong("meft.debug.train.stall.seconds", 3600));
    }

    /** Called by every rank after each step. */
    void afterStep(int rank, long step) {
        if (at(halt, rank, step) && claim()) {
            System.err.println("meft.debug.train.halt: halting the executor of rank " + rank + " after step " + step);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
        if (at(stall, rank, step)) {
            System.err.println("meft.debug.train.stall: rank " + rank + " stops answering after step " + step);
            long until = System.nanoTime() + stallS * 1_000_000_000L;
            TaskContext ctx = TaskContext.get();
            while (System.nanoTime() < until) {
                if (ctx != null) {
                    ctx.killTaskIfInterrupted();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static boolean at(String spec, int rank, long step) {
        if (spec == null || spec.isBlank()) {
            return false;
        }
        String[] p = spec.trim().split("@");
        return Integer.parseInt(p[0]) == rank && Long.parseLong(p[1]) == step;
    }

    /** True for the one caller that creates the marker (always true without one). */
    private boolean claim() {
        if (haltOnce == null) {
            return true;
        }
        try {
            Files.createFile(Path.of(haltOnce));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
