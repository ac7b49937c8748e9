package org.meftspark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.AdapterConfig;
import org.meftspark.config.RunConfig;
import org.meftspark.generation.GenerationConfig;
import org.meftspark.generation.TextGenerator;
import org.meftspark.model.Decoder;
import org.meftspark.model.ModelTokenizer;
import org.meftspark.tokenize.Tokenizer;
import org.meftspark.tokenize.Tokenizers;
import org.meftspark.train.Checkpoints;
import org.meftspark.train.TrainedAdapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meft generate}: the continuation of a prompt, by a base model or a trained adapter on it. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Prints the model's continuation of --prompt (greedy, or beam search with --beams).",
                "With --adapter RUN_DIR/variants/NAME, the adapter that variant trained (any method), on the base, "
                        + "tokenizer and settings of the run's configuration."})
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, description = "Prompt text.")
    String prompt;

    @Option(names = "--tokenizer", paramLabel = "byte|PATH",
            description = "'byte', or a tokenizer.json (or its folder); default: the model's own (model.tokenizer: model).")
    String tokenizer;

    @Option(names = "--adapter", paramLabel = "RUN_DIR/variants/NAME",
            description = "A trained variant of a run: its adapter is applied, on the run's base model unless --model is given.")
    Path adapter;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "A checkpoint folder (checkpoints/step-NNNNNNNN): with --adapter, this one of the variant instead of "
                    + "its latest; alone, the adapter it describes (its adapter.json), on the base it names unless --model "
                    + "is given.")
    Path checkpoint;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--beams", defaultValue = "1", description = "1 = greedy; more = beam search (default ${DEFAULT-VALUE}).")
    int beams;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output ends with this text (repeatable).")
    List<String> stops = new ArrayList<>();

    @Override
    public Integer call() {
        RunConfig variant = adapter == null ? null : TrainedVariant.config(adapter);
        if (checkpoint != null && !java.nio.file.Files.isRegularFile(checkpoint.resolve(Checkpoints.TENSORS))) {
            throw new IllegalArgumentException("--checkpoint " + checkpoint + " is not a checkpoint folder (it has no "
                    + Checkpoints.TENSORS + "); give RUN_DIR/variants/NAME/train/checkpoints/step-NNNNNNNN");
        }
        java.util.Optional<AdapterConfig> described = checkpoint != null && adapter == null
                ? java.util.Optional.of(Checkpoints.readAdapter(checkpoint).orElseThrow(() -> new IllegalArgumentException(
                        "--checkpoint " + checkpoint + " has no " + AdapterConfig.FILE + " (written before checkpoints "
                                + "described their adapter): add --adapter RUN_DIR/variants/NAME, the variant it belongs to")))
                : java.util.Optional.empty();
        String modelPath = modelOptions.model != null ? modelOptions.model : variant != null ? variant.model().path()
                : described.map(AdapterConfig::baseModel).orElse(null);
        if (modelPath == null) {
            throw new IllegalArgumentException("give --model DIR (or embedded:world-base), --adapter RUN_DIR/variants/NAME "
                    + "or --checkpoint DIR");
        }
        String tokenizerSpec = tokenizer != null ? tokenizer
                : ModelTokenizer.spec(modelPath, variant != null ? variant.model().tokenizer() : ModelTokenizer.MODEL);
        if (!tokenizerSpec.equals(Tokenizers.BYTE) && !java.nio.file.Files.exists(Path.of(tokenizerSpec).resolve("tokenizer.json"))
                && !java.nio.file.Files.isRegularFile(Path.of(tokenizerSpec))) {
            throw new IllegalArgumentException(modelPath + " has no tokenizer.json; pass --tokenizer byte "
                    + "or the path of a tokenizer.json");
        }
        Decoder decoder = modelOptions.load(modelPath);
        boolean trained = variant != null && variant.adapter().method() != org.meftspark.config.AdapterSection.Method.NONE;
        Adaptation adaptation = described.isPresent()
                ? TrainedAdapter.load(checkpoint, decoder, modelOptions.computeDevice())
                : !trained ? null : TrainedAdapter.load(variant, checkpoint != null ? checkpoint : adapter.resolve("train"),
                        decoder, modelOptions.computeDevice());
        if (adaptation != null) {
            decoder.setHooks(adaptation.hooks());
        }
        try (Tokenizer tok = Tokenizers.open(tokenizerSpec); PointerScope scope = new PointerScope()) {
            if (tok.vocabSize() > decoder.config().vocabSize()) {
                throw new IllegalArgumentException("tokenizer " + tokenizerSpec + " has " + tok.vocabSize()
                        + " ids but the model's vocabulary has " + decoder.config().vocabSize());
            }
            int[] body = tok.encode(prompt).ids();
            long[] ids = new long[body.length + (tok.bosId().isPresent() ? 1 : 0)];
            int at = 0;
            if (tok.bosId().isPresent()) {
                ids[at++] = tok.bosId().getAsInt();
            }
            for (int id : body) {
                ids[at++] = id;
            }
            List<long[]> stopIds = new ArrayList<>();
            for (String s : stops) {
                stopIds.add(Arrays.stream(tok.encode(s).ids()).asLongStream().toArray());
            }
            List<Integer> eos = new ArrayList<>(decoder.config().eosTokenIds());
            for (int end : tok.endIds()) { // EOS and a chat template's end of turn
                if (!eos.contains(end)) {
                    eos.add(end);
                }
            }
            GenerationConfig cfg = GenerationConfig.greedy(maxNewTokens, eos).withBeams(beams).withStopSequences(stopIds);
            long[] out = new TextGenerator(decoder).generate(List.of(ids), cfg).get(0);
            spec.commandLine().getOut().println(tok.decode(Arrays.stream(out).mapToInt(Math::toIntExact).toArray()));
        } finally {
            if (adaptation != null) {
                adaptation.close();
            }
        }
        return 0;
    }
}
