package org.meftspark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.meftspark.config.ConfigException;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code meft config check FILE} and {@code meft config reference}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Validate or document run configurations.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Reference.class})
final class ConfigCommand {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validates a run configuration; prints every problem with file, line and allowed values.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "YAML run configuration.")
        Path file;

        @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE", description = "Override one key (repeatable).")
        List<String> overrides = new ArrayList<>();

        @Override
        public Integer call() {
            try {
                RunConfig c = RunConfigLoader.load(file, overrides);
                spec.commandLine().getOut().println(file + ": valid (" + c.adapter().method().name().toLowerCase()
                        + ", " + c.data().inputs().size() + " input(s), training on " + c.training().device()
                        .name().toLowerCase() + ")");
                return 0;
            } catch (ConfigException e) {
                e.problems().forEach(spec.commandLine().getErr()::println);
                return org.meftspark.jobs.ExitCodes.USAGE;
            }
        }
    }

    @Command(name = "reference", mixinStandardHelpOptions = true,
            description = "Prints the Markdown reference of every key (the one in docs/configuration.md).")
    static final class Reference implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().print(RunConfig.reference());
        }
    }
}
