package org.meftspark.jobs;

import picocli.CommandLine;

/**
 * The spark-submit entry point shared by the jobs: runs a job's picocli command with the same
 * error handling and exit codes as {@code bin/meft} ({@link ExitCodes}): a failure is one line
 * ({@code NAME failed: what}), not a stack trace. It exits only on failure: calling
 * {@code System.exit(0)} would cut off Spark's own shutdown in client mode.
 */
final class JobMain {

    private JobMain() {
    }

    static void run(Object command, String[] args) {
        int code = execute(new CommandLine(command), args);
        if (code != ExitCodes.OK) {
            System.exit(code);
        }
    }

    /** Runs {@code cl} as spark-submit does, without exiting; returns the exit code. */
    static int execute(CommandLine cl, String[] args) {
        int code = ExitCodes.install(cl).execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return code;
    }
}
