package org.meftspark.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.meftspark.generation.GenerationConfig;
import org.meftspark.generation.TextGenerator;
import org.meftspark.model.Decoder;
import org.meftspark.tokenize.Tokenizer;
import org.meftspark.tokenize.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meft generate}: the continuation of a prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Prints the model's continuation of --prompt (greedy, or beam search with --beams).")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, description = "Prompt text.")
    String prompt;

    @Option(names = "--tokenizer", paramLabel = "byte|PATH",
            description = "'byte', or a tokenizer.json (or its folder); default: the model folder's tokenizer.json.")
    String tokenizer;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--beams", defaultValue = "1", description = "1 = greedy; more = beam search (default ${DEFAULT-VALUE}).")
    int beams;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output ends with this text (repeatable).")
    List<String> stops = new ArrayList<>();

    @Override
    public Integer call() {
        if (tokenizer == null && !java.nio.file.Files.isRegularFile(modelOptions.model.resolve("tokenizer.json"))) {
            throw new IllegalArgumentException(modelOptions.model + " has no tokenizer.json; pass --tokenizer byte "
                    + "(the embedded default's) or the path of a tokenizer.json");
        }
        String tokenizerSpec = tokenizer != null ? tokenizer : modelOptions.model.toString();
        Decoder decoder = modelOptions.load();
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
        }
        return 0;
    }
}
