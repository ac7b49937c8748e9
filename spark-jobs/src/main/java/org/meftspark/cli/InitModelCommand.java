package org.meftspark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.ModelFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meft init-model}: a randomly initialised model folder from an architecture and a seed. */
@Command(name = "init-model", mixinStandardHelpOptions = true,
        description = {"Writes a randomly initialised Hugging Face model folder (config.json + model.safetensors) "
                + "from an architecture config.json and a seed; the same seed gives identical bytes.",
                "The embedded default is conf/models/tiny-llama.json (byte-level vocabulary)."})
final class InitModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "CONFIG_JSON",
            description = "Architecture in Hugging Face config.json form (LlamaForCausalLM or MistralForCausalLM).")
    Path config;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model folder to write.")
    Path out;

    @Option(names = "--seed", defaultValue = "20240604", description = "Initialisation seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--force", description = "Overwrite a folder that already holds a model.")
    boolean force;

    @Override
    public Integer call() {
        if (Files.exists(out.resolve("config.json")) && !force) {
            throw new IllegalArgumentException(out + " already holds a model (config.json); pass --force to overwrite it");
        }
        ModelConfig c = ModelConfig.read(config);
        ModelFolder.initRandom(c, seed, out);
        spec.commandLine().getOut().printf("wrote %s: %s, %d layers, d=%d, vocab %d, seed %d%n", out,
                c.architecture(), c.numHiddenLayers(), c.hiddenSize(), c.vocabSize(), seed);
        return 0;
    }
}
