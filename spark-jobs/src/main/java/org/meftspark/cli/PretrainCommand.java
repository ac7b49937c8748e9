package org.meftspark.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.pretrain.Pretrainer;
import org.meftspark.train.ConsoleProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meft pretrain}: a small LLaMA pretrained from a seeded random start on the generated world (issue 15). */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrains a small LLaMA from a seeded random start on a generated world (W0) and writes a "
                + "Hugging Face model folder: config.json, model.safetensors, tokenizer.json, generation_config.json, "
                + "pretrain.json.",
                "Training files go to run.dir/run.name/train (metrics.jsonl, checkpoints); a run directory that holds a "
                        + "checkpoint is resumed. The embedded base conf/models/world-base was made with "
                        + "conf/pretrain/world-base.yaml.",
                "Exits 1 when pretraining stopped before its last step; the same command resumes it."})
final class PretrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", defaultValue = "conf/pretrain/world-base.yaml", paramLabel = "FILE",
            description = "Pretraining configuration (default ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE", description = "Override one key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Model folder to write (default run.dir/run.name/model).")
    Path out;

    @Override
    public Integer call() {
        RunConfig c = RunConfigLoader.parse(RunConfigLoader.readText(config), config.toString(), overrides);
        Path runDir = Path.of(c.run().dir(), c.run().name());
        Path model = out != null ? out : runDir.resolve("model");
        Pretrainer.Result r = Pretrainer.run(c, runDir, model, ConsoleProgress.forStdout());
        PrintWriter w = spec.commandLine().getOut();
        if (r.model() == null) {
            w.println("pretraining stopped at step " + r.training().stepsDone() + " of " + r.training().totalSteps()
                    + "; run the same command again to resume");
            w.flush();
            return org.meftspark.jobs.ExitCodes.FAILED;
        }
        w.printf(java.util.Locale.ROOT, "wrote %s: %d steps, %d loss tokens, final loss %.4f, %s%n", model,
                r.record().steps(), r.record().tokensSeen(), r.record().finalTrainLoss(), r.record().finalLosses());
        w.println("weights sha256 " + r.record().weightsSha256());
        w.flush();
        return 0;
    }
}
