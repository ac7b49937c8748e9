package org.meftspark.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import org.meftspark.config.ConfigException;
import org.meftspark.spark.GpuScheduling;
import org.meftspark.spark.OutputConflictException;
import picocli.CommandLine;

/**
 * The exit codes of every command, decided here only, and used by both launchers: {@code bin/meft}
 * ({@code Meft.commandLine}) and spark-submit ({@link JobMain}). Scripts and schedulers tell "fix the command"
 * from "look at the run" by the code, so one command must not say 2 where another says 1.
 *
 * <table>
 *   <caption>Exit codes</caption>
 *   <tr><th>code</th><th>meaning</th><th>what gives it</th></tr>
 *   <tr><td>0</td><td>success</td><td>the command returned 0</td></tr>
 *   <tr><td>1</td><td>the job failed while running</td><td>any exception not listed under 2: a failed Spark stage,
 *       an input file that cannot be read ({@code UnusableInputException}), a shard set that does not
 *       verify, an I/O error, a malformed number in the data ({@link NumberFormatException}); and a command that
 *       ran but refuses its result: too many rejected records (preprocess, score), a failed check (doctor),
 *       training that stopped before its last step (pretrain)</td></tr>
 *   <tr><td>2</td><td>bad usage or configuration: fix the command line or the configuration</td><td>picocli's
 *       parameter errors (unknown option, missing or malformed value, unknown command);
 *       {@link ConfigException} (the run configuration: a missing or unreadable file, not YAML, an unknown key,
 *       a value out of range); {@link IllegalArgumentException}, the project's exception for an option or
 *       configuration value that cannot be used (a {@code --model} without config.json, {@code --split} the
 *       shards lack, {@code data.inputs} empty); {@link OutputConflictException} (the output exists and
 *       overwriting was not asked for); {@link GpuScheduling.UnschedulableException} (the Spark settings
 *       cannot schedule GPU tasks)</td></tr>
 * </table>
 *
 * <p>Only the exception the command itself throws is classified, never its causes: an
 * IllegalArgumentException thrown by a Spark task over one bad record reaches the driver inside a
 * SparkException and is a failed job (1), as bad data at run time must be.
 */
public final class ExitCodes {
    /** The command did what it was asked. */
    public static final int OK = 0;
    /** The job failed while running. */
    public static final int FAILED = 1;
    /** Bad usage or configuration; picocli's own code for invalid input. */
    public static final int USAGE = CommandLine.ExitCode.USAGE;

    private ExitCodes() {
    }

    /** The exit code of a command that threw {@code e}. */
    public static int of(Throwable e) {
        boolean usage = e instanceof CommandLine.ParameterException || e instanceof ConfigException
                || e instanceof OutputConflictException || e instanceof GpuScheduling.UnschedulableException
                // A number in the data that does not parse is bad input found at run time, not a bad option.
                || (e instanceof IllegalArgumentException && !(e instanceof NumberFormatException));
        return usage ? USAGE : FAILED;
    }

    /**
     * Prints {@code e} as one message, no stack trace ({@code meft evaluate: invalid configuration: ...},
     * {@code meft evaluate failed: ...}), to the error stream of {@code commandLine}, the command that threw
     * it; returns its code.
     */
    public static int report(Exception e, CommandLine commandLine) {
        int code = of(e);
        String name = commandLine.getCommandSpec().qualifiedName();
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        commandLine.getErr().println(name + (code == USAGE ? ": " : " failed: ") + message);
        commandLine.getErr().flush();
        return code;
    }

    /** {@link #report} as the execution exception handler of both launchers. */
    public static final CommandLine.IExecutionExceptionHandler HANDLER = (e, commandLine, parseResult) ->
            report(e, commandLine);

    /** The codes as each command's {@code --help} lists them, under "Exit codes:". */
    static Map<String, String> described() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(" " + OK, "success");
        codes.put(" " + FAILED, "the job failed while running; the last line says what failed, and where");
        codes.put(" " + USAGE, "bad usage or configuration (an unknown option or key, a bad value, a missing "
                + "configuration file, an output that exists without --overwrite): fix the command and rerun");
        return codes;
    }

    /** Lists the codes in the help of {@code cl} and of every subcommand below it. */
    public static void describeIn(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(described());
        cl.getSubcommands().values().forEach(ExitCodes::describeIn);
    }

    /**
     * The launchers' error handling on {@code cl} and below: {@link #HANDLER} for what the commands throw,
     * and the codes in every help.
     */
    public static CommandLine install(CommandLine cl) {
        cl.setExecutionExceptionHandler(HANDLER);
        describeIn(cl);
        return cl;
    }
}
