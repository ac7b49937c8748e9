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

        @Option(names = "--world", paramLabel = "MODEL", description = "Draw the facts from W1 of a pretrained base's world "
                + "(embedded:world-base, or a model folder with pretrain.json) and write the study's five files: train, "
                + "validation, heldout, extraction (W0 facts only stated in passages) and w0 (forgetting); --seed is "
                + "then the base's.")
        String world;

        @Override
        public Integer call() throws Exception {
            if (world != null) {
                java.nio.file.Path folder = world.startsWith(org.meftspark.model.EmbeddedModels.PREFIX)
                        ? org.meftspark.model.EmbeddedModels.folder(world) : java.nio.file.Path.of(world);
                if (!java.nio.file.Files.isRegularFile(folder.resolve("pretrain.json"))) {
                    throw new IllegalArgumentException("--world " + world + ": no pretrain.json there; give "
                            + "embedded:world-base or a model folder written by 'meft pretrain'");
                }
                FactDataset.StudyFiles f = FactDataset.write(out,
                        org.meftspark.pretrain.PretrainRecord.read(folder.resolve("pretrain.json")).world(), facts);
                spec.commandLine().getOut().printf("wrote %d W1 facts about %d towns of %s: %s, %s, %s, %s, %s%n", f.facts(),
                        f.towns(), world, f.train(), f.validation(), f.heldOut(), f.extraction(), f.w0());
                return 0;
            }
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
            if (towns < 1) {
                throw new IllegalArgumentException("--towns must be at least 1, got " + towns);
            }
            SampleDatasets.Files4 f = SampleDatasets.write(out, seed, towns);
            f.all().forEach(p -> spec.commandLine().getOut().println("wrote " + p));
            return 0;
        }
    }
}
