package org.meftspark.cli;

import org.meftspark.jobs.ExitCodes;
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
        org.meftspark.device.NativeLibraries.extractPytorch(); // before anything loads libtorch (see there)
        CommandLine cl = commandLine();
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        System.exit(code);
    }

    /**
     * The command line with meft's error handling: problems as one clear line, no stack trace, exit codes
     * as {@link ExitCodes} decides them (and every help lists them); an unknown command exits 2 with the
     * nearest known one, also when {@code --help} follows it (picocli would print the top-level help and
     * exit 0, and a typo in a script would pass unnoticed).
     */
    static CommandLine commandLine() {
        CommandLine cl = ExitCodes.install(new CommandLine(new Meft()));
        cl.setExecutionStrategy(parseResult -> {
            if (!parseResult.hasSubcommand() && !parseResult.unmatched().isEmpty()) {
                return unknownCommand(cl, parseResult.unmatched().get(0));
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        CommandLine.IParameterExceptionHandler parameterErrors = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((e, args) -> {
            if (e instanceof CommandLine.UnmatchedArgumentException u && e.getCommandLine() == cl
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                return unknownCommand(cl, u.getUnmatched().get(0));
            }
            return parameterErrors.handleParseException(e, args);
        });
        return cl;
    }

    private static int unknownCommand(CommandLine cl, String unknown) {
        String near = nearest(unknown, cl.getSubcommands().keySet());
        cl.getErr().println("meft: unknown command '" + unknown + "'"
                + (near == null ? "" : "; did you mean '" + near + "'?") + " 'meft --help' lists the commands");
        return ExitCodes.USAGE;
    }

    /** The known name within edit distance 2 (or sharing the first four letters) of {@code word}, or null. */
    static String nearest(String word, java.util.Collection<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String n : names) {
            int d = editDistance(word, n);
            if (d < bestDistance) {
                bestDistance = d;
                best = n;
            }
        }
        boolean close = bestDistance <= 2 || (best != null && word.length() >= 4 && best.startsWith(word.substring(0, 4)));
        return close ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int swap = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + swap);
            }
            prev = cur;
        }
        return prev[b.length()];
    }
}
