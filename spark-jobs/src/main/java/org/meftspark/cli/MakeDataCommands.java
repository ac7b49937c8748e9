package org.meftspark.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.meftspark.synth.FactDataset;
import org.meftspark.synth.SampleDatasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Commands that write the project's own datasets (no download). */
final class MakeDataCommands {

    private MakeDataCommands() {
    }

    @Command(name = "make-facts", mixinStandardHelpOptions = true,
            description = {"Writes a knowledge-intensive dataset of fictional facts in NQ-open JSONL: train.jsonl asks "
                    + "every fact with the training templates, heldout.jsonl with unseen paraphrases.",
                    "Names and values come from the seed, so no model can know them beforehand."})
    static final class MakeFacts implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--facts", required = true, description = "Number of facts (rounded up to whole towns of 5 facts).")
        int facts;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
        Path out;

        @Option(names = "--seed", defaultValue = "20240604", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            FactDataset.Written w = FactDataset.write(out, seed, facts);
            spec.commandLine().getOut().printf("wrote %d facts about %d towns (seed %d): %s, %s%n", w.facts(), w.towns(),
                    seed, w.train(), w.heldOut());
            return 0;
        }
    }

    @Command(name = "make-samples", mixinStandardHelpOptions = true,
            description = "Writes small samples of NQ-open, SQuAD v1.1, ToolBench and GSM8K in their published formats "
                    + "(the quickstart's data), generated from a seed.")
    static final class MakeSamples implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
        Path out;

        @Option(names = "--towns", defaultValue = "40", description = "Fictional towns the samples talk about (default ${DEFAULT-VALUE}).")
        int towns;

        @Option(names = "--seed", defaultValue = "20240604", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            SampleDatasets.Files4 f = SampleDatasets.write(out, seed, towns);
            f.all().forEach(p -> spec.commandLine().getOut().println("wrote " + p));
            return 0;
        }
    }
}
