package org.meftspark.jobs;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfig;
import org.meftspark.spark.Sessions;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The skeleton of every command that runs a Spark job (preprocess, train, evaluate, score, run, study,
 * quickstart, the cluster check), in both launchers:
 * <ol>
 *   <li>{@link #prepare} reads and checks the arguments and the run configuration before Spark starts, so an
 *       option or a configuration that does not validate exits 2 in about a second, without starting a session
 *       or writing anything (what only the files can tell, such as a {@code --split} the shards lack, is found
 *       in the session, and exits 2 as well);</li>
 *   <li>the session opens with the settings {@code prepare} names, normally the configuration's {@code spark}
 *       section (spark-submit's own settings win, see {@link Sessions#create});</li>
 *   <li>{@link #run} does the work; a job writes its output into a staging folder and commits it whole
 *       ({@link org.meftspark.spark.OutputCommit}), so a failure leaves nothing half-written;</li>
 *   <li>the session closes however the job ends, and what it threw becomes one message and an exit code by
 *       {@link ExitCodes}, the same for {@code bin/meft}, spark-submit and any other caller.</li>
 * </ol>
 */
public abstract class SparkJobCommand implements Callable<Integer> {

    /**
     * The session a job asks for.
     *
     * @param appName Spark's application name
     * @param master  the master when spark-submit names none
     * @param conf    settings applied where spark-submit set none
     */
    public record SessionSettings(String appName, String master, Map<String, String> conf) {
        public SessionSettings {
            conf = Map.copyOf(conf);
        }

        /**
         * What the {@code spark} section of {@code config} asks for, named after the job and the run. Barrier
         * syncs (the training stage's rendezvous) wait at most {@code training.collective_timeout_s}, as every
         * collective does, unless {@code spark.conf} sets {@code spark.barrier.sync.timeout} itself: Spark's
         * default is a year, and a task of the stage that never arrives must not hang the others.
         */
        public static SessionSettings of(String job, RunConfig config) {
            Map<String, String> conf = new java.util.HashMap<>(config.spark().conf());
            conf.putIfAbsent("spark.barrier.sync.timeout", config.training().collectiveTimeoutS() + "s");
            return new SessionSettings("meft-" + job + " " + config.run().name(), config.spark().master(), conf);
        }
    }

    @Spec
    protected CommandSpec spec;

    /**
     * Reads and checks everything the job needs from its arguments and configuration, before Spark starts;
     * throws {@link org.meftspark.config.ConfigException} or {@link IllegalArgumentException} for what is wrong.
     */
    protected abstract SessionSettings prepare();

    /** The job itself, in the session {@link #prepare} asked for; returns its exit code ({@link ExitCodes}). */
    protected abstract int run(SparkSession spark) throws Exception;

    @Override
    public final Integer call() {
        try {
            org.meftspark.device.NativeLibraries.extractPytorch(); // the jobs' own mains (spark-submit) start here
            SessionSettings s = prepare();
            try (SparkSession spark = Sessions.create(s.appName(), s.master(), s.conf())) {
                return run(spark);
            }
        } catch (CommandLine.ParameterException e) {
            throw e; // picocli prints it with the usage, and exits 2
        } catch (Exception e) {
            // Mapped here, not only by the launchers' handler, so a job exits the same way however it is
            // started (bin/meft, spark-submit, a test's own CommandLine).
            return ExitCodes.report(e, spec.commandLine());
        }
    }

    /** Where the command prints its results. */
    protected final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Where the command prints problems and progress. */
    protected final PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
