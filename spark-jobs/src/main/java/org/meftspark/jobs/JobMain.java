package org.meftspark.jobs;

import picocli.CommandLine;

/**
 * The spark-submit entry point shared by the jobs: runs a job's picocli command, prints a failure
 * as one line ({@code NAME failed: what}) instead of a stack trace, and exits non-zero only on
 * failure (a zero exit would cut off Spark's own shutdown in client mode).
 */
final class JobMain {

    private JobMain() {
    }

    static void run(Object command, String name, String[] args) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println(name + " failed: " + e.getMessage());
            return 1;
        });
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        if (code != 0) {
            System.exit(code);
        }
    }
}
