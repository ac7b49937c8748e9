package org.meftspark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The user-facing command, run by {@code bin/meft}. Each stage adds a subcommand. */
@Command(name = "meft", mixinStandardHelpOptions = true, version = "meft-spark 0.1.0",
        description = "Memory-efficient LLM fine-tuning (MEFT) as Spark batch pipelines.",
        subcommands = {
                QuickstartCommand.class,
                DoctorCommand.class,
                ConfigCommand.class,
                org.meftspark.jobs.PreprocessJob.class,
                org.meftspark.jobs.TrainJob.class,
                org.meftspark.jobs.EvaluateJob.class,
                org.meftspark.jobs.ScoreJob.class,
                org.meftspark.jobs.PipelineJob.class,
                org.meftspark.jobs.StudyJob.class,
                PretrainCommand.class,
                InitModelCommand.class,
                PlanCommand.class,
                GenerateCommand.class,
                LogitsCommand.class,
                MakeDataCommands.MakeFacts.class,
                MakeDataCommands.MakeSamples.class,
                BenchmarkCommand.class,
                CommandLine.HelpCommand.class})
public final class Meft implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // No subcommand: show what there is, and fail so scripts notice.
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        System.exit(code);
    }

    /** The command line with meft's error handling: problems as one clear line, no stack trace. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Meft());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("meft " + commandLine.getCommandName() + ": " + e.getMessage());
            return 2;
        });
        return cl;
    }
}
