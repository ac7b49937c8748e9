package org.meftspark.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.jobs.ExitCodes;
import org.meftspark.jobs.SparkJobCommand;
import org.meftspark.jobs.pipeline.Pipeline;
import org.meftspark.model.EmbeddedModels;
import org.meftspark.pretrain.PretrainRecord;
import org.meftspark.synth.SampleDatasets;
import org.meftspark.synth.WorldSplit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meft quickstart}: the whole pipeline on one machine, with nothing to download: samples of
 * the four datasets about W1 (facts the embedded pretrained base has never seen; issue 15 item 4),
 * the base's own BPE tokenizer, and the base evaluated zero-shot next to a MEFT adapter trained on
 * those facts, in local mode (conf/quickstart.yaml). A second run reuses the completed stages.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline on the embedded default (conf/quickstart.yaml): sample data in all four "
                + "published formats about facts the pretrained base has never seen, the base's own tokenizer, the base zero-shot "
                + "next to a MEFT adapter, local Spark.",
                "Prints progress, then the report's path and a table of the metrics. A second run reuses completed stages."})
final class QuickstartCommand extends SparkJobCommand {

    /** W1 towns the sample data is about (5 facts each). */
    static final int TOWNS = 30;

    @Option(names = "--config", defaultValue = "conf/quickstart.yaml", paramLabel = "FILE",
            description = "Configuration (default ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--data", defaultValue = "work/quickstart/data", paramLabel = "DIR",
            description = "Where the sample datasets are written (default ${DEFAULT-VALUE}); the configuration's inputs "
                    + "point there.")
    Path data;

    @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE", description = "Override one key (repeatable), "
            + "e.g. training.max_steps=20 for a faster look.")
    List<String> overrides = new ArrayList<>();

    private String text;

    @Override
    protected SessionSettings prepare() {
        // The configuration is checked before the sample data is written and Spark starts.
        text = RunConfigLoader.readText(config);
        RunConfigLoader.variants(text, config.toString(), overrides);
        return SessionSettings.of("quickstart", RunConfigLoader.parse(text, config.toString(), overrides));
    }

    @Override
    protected int run(SparkSession spark) throws Exception {
        writeSamples();
        Pipeline.Result r = Pipeline.run(spark, text, config.toString(), overrides, System.err);
        PrintWriter out = out();
        out.println();
        out.print(r.table());
        out.println("report: " + r.report());
        if (!r.skipped().isEmpty()) {
            out.println("reused: " + String.join(", ", r.skipped()));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The sample datasets the configuration's inputs point at, unless this world's are already there. */
    private void writeSamples() throws java.io.IOException {
        // W1 of the embedded base's world: towns drawn after those it was pretrained on.
        WorldSplit world = PretrainRecord.read(EmbeddedModels.folder(EmbeddedModels.WORLD_BASE).resolve("pretrain.json"))
                .world();
        String about = "W1 of " + world + ", first " + TOWNS + " towns\n";
        Path marker = data.resolve("ABOUT");
        if (!Files.exists(marker) || !Files.readString(marker).equals(about)) {
            System.err.println("quickstart: writing sample datasets to " + data + " (" + about.strip() + ")");
            SampleDatasets.write(data, world.w1(TOWNS), world.seed(), "w1");
            org.meftspark.io.AtomicFiles.writeString(marker, about, "sample data description");
        } else {
            System.err.println("quickstart: sample datasets already in " + data);
        }
    }
}
