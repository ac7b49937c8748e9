package org.meftspark.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.config.AdapterSection;
import org.meftspark.config.PretrainSection;
import org.meftspark.config.RunConfig;
import org.meftspark.device.ComputeDevice;
import org.meftspark.device.TorchRuntime;
import org.meftspark.hash.Sha256;
import org.meftspark.io.AtomicFiles;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;
import org.meftspark.model.ModelFolder;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.synth.WorldCorpus;
import org.meftspark.synth.WorldSplit;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.ByteTokenizerFiles;
import org.meftspark.tokenize.HfTokenizer;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.tokenize.Tokenizer;
import org.meftspark.tokenize.Tokenizers;
import org.meftspark.train.Checkpoints;
import org.meftspark.train.StepMetrics;
import org.meftspark.train.MicroBatch;
import org.meftspark.train.Trainer;
import org.meftspark.train.TrainingListener;
import org.meftspark.train.TrainingResult;

/**
 * Pretrains a small LLaMA from a seeded random start on the generated world W0 (issue 15 item 1)
 * and writes it as a Hugging Face model folder: {@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}, {@code tokenizer_config.json}, {@code generation_config.json} and
 * {@link PretrainRecord pretrain.json}.
 *
 * <p>It is an ordinary full fine-tuning run of {@link Trainer} (adapter.method: full) whose
 * frozen base is the random start: the same loop, metrics, checkpoints and bit-exact resume.
 * A run directory that holds a checkpoint is resumed; the random start is rebuilt from its
 * seed first, so the resumed weights are the checkpoint's exactly.
 */
public final class Pretrainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    /** The run directory's folder of the learned tokenizer ({@code pretrain.vocab_size}), copied into the model folder. */
    private static final String TOKENIZER_DIR = "tokenizer";
    /** Rows of each kind scored for {@link PretrainRecord#finalLosses()}. */
    private static final int LOSS_ROWS = 128;

    /**
     * @param model the written folder, or null when the run stopped early (resume it)
     */
    public record Result(Path model, TrainingResult training, PretrainRecord record) {
    }

    private Pretrainer() {
    }

    /**
     * Runs (or resumes) the pretraining of {@code config} in {@code runDir} and, when all steps are
     * done, writes the model folder {@code modelOut} atomically (a folder there is replaced).
     */
    public static Result run(RunConfig config, Path runDir, Path modelOut, TrainingListener listener) {
        if (config.adapter().method() != AdapterSection.Method.FULL) {
            throw new IllegalArgumentException("pretraining trains every weight: set adapter.method: full (it is "
                    + config.adapter().method().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        PretrainSection p = config.pretrain();
        ModelConfig arch = ModelConfig.read(Path.of(p.architecture()));
        WorldCorpus.Written files = writeCorpus(config, runDir.resolve("corpus"));
        Tokenizer tokenizer = tokenizer(config, files, runDir.resolve(TOKENIZER_DIR));
        if (tokenizer.vocabSize() > arch.vocabSize()) {
            throw new IllegalArgumentException(p.architecture() + ": vocab_size " + arch.vocabSize() + " is below the "
                    + "tokenizer's " + tokenizer.vocabSize() + " ids (" + (p.vocabSize() > 0 ? "pretrain.vocab_size"
                    : "model.tokenizer " + config.model().tokenizer()) + ")");
        }
        CorpusRows.Rows rows = rows(config, files, tokenizer);
        Decoder decoder = new Decoder(arch, DecoderWeights.random(arch, p.initSeed(), p.initStd(), 0.0,
                ComputeDevice.cpu().device(), ScalarType.Float));
        Path trainDir = runDir.resolve("train");
        boolean resume = Checkpoints.latest(trainDir).isPresent();
        TrainingResult r = Trainer.train(config, decoder, rows.all(), trainDir, resume, listener, ComputeDevice.cpu(),
                ScalarType.Float);
        if (r.stopped()) {
            return new Result(null, r, null);
        }
        return write(config, decoder, rows, trainDir, modelOut, r);
    }

    /**
     * The corpus tokenizer: {@code model.tokenizer}, or with {@code pretrain.vocab_size} a byte-level
     * BPE learned from the byte-tokenized corpus {@code files} ({@link CorpusTokenizer}) and written to
     * {@code tokenizerDir}, where the model folder takes its files from. Learned anew on a resume: the
     * merges are a function of the corpus, which is a function of the seed.
     */
    static Tokenizer tokenizer(RunConfig config, WorldCorpus.Written files, Path tokenizerDir) {
        PretrainSection p = config.pretrain();
        if (p.vocabSize() == 0) {
            if (config.model().tokenizer().equals(org.meftspark.model.ModelTokenizer.MODEL)) {
                throw new IllegalArgumentException("model.tokenizer: model names the tokenizer of an existing model, and "
                        + "pretraining makes a new one: set pretrain.vocab_size to learn a BPE from the corpus, or "
                        + "model.tokenizer to byte or a tokenizer.json");
            }
            return Tokenizers.open(config.model().tokenizer());
        }
        CorpusRows.Rows bytes = rows(config, files, new ByteTokenizer());
        List<String[]> merges = CorpusTokenizer.merges(bytes.all(),
                new WorldSplit(p.worldSeed(), p.baseTowns(), p.passageOnlyTowns()), p.vocabSize());
        try {
            Files.createDirectories(tokenizerDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + tokenizerDir + ": " + e.getMessage(), e);
        }
        ByteTokenizerFiles.write(tokenizerDir, merges);
        return HfTokenizer.load(tokenizerDir);
    }

    /** Writes the corpus of the configuration under {@code dir}. */
    static WorldCorpus.Written writeCorpus(RunConfig config, Path dir) {
        PretrainSection p = config.pretrain();
        WorldSplit split = new WorldSplit(p.worldSeed(), p.baseTowns(), p.passageOnlyTowns());
        try {
            return new WorldCorpus(p.passagesPerTown(), p.mathProblems(), p.toolQueries(), p.readingTowns()).write(dir, split);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pretraining corpus under " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The training rows of written corpus {@code files}, tokenized with {@code tokenizer}. */
    static CorpusRows.Rows rows(RunConfig config, WorldCorpus.Written files, Tokenizer tokenizer) {
        SequenceBuilder builder = new SequenceBuilder(tokenizer, PromptTemplates.configured(config.data().templates()),
                config.data().maxLength(), config.data().truncationSide(), config.data().squadStride());
        return CorpusRows.read(files, tokenizer, builder, config.data().maxLength());
    }

    private static Result write(RunConfig config, Decoder decoder, CorpusRows.Rows rows, Path trainDir, Path modelOut,
                                TrainingResult r) {
        PretrainSection p = config.pretrain();
        Path tmp = modelOut.resolveSibling("." + modelOut.getFileName() + ".tmp");
        try {
            deleteTree(tmp);
            ModelFolder.save(decoder, tmp);
            Path tokenizerDir = trainDir.resolveSibling(TOKENIZER_DIR);
            if (p.vocabSize() > 0) {
                for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
                    Files.copy(tokenizerDir.resolve(f), tmp.resolve(f));
                }
            } else {
                ByteTokenizerFiles.write(tmp);
            }
            AtomicFiles.writeString(tmp.resolve("generation_config.json"), generationConfig(decoder.config()),
                    "generation_config.json");
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (TokenizedExample row : rows.all()) {
                counts.merge(row.dataset(), 1, Integer::sum);
            }
            StepMetrics.Log log = StepMetrics.read(trainDir.resolve(StepMetrics.FILE));
            List<Double> losses = log.steps().stream().map(StepMetrics::loss).toList();
            long tokensSeen = Checkpoints.readState(r.checkpoint()).tokensSeen();
            PretrainRecord rec = new PretrainRecord(p.worldSeed(), p.baseTowns(), p.passageOnlyTowns(), p.passagesPerTown(),
                    counts, rows.tokens(), r.stepsDone(), config.training().microBatchSize(),
                    config.training().learningRate(), config.run().seed(), p.initSeed(), TorchRuntime.threads(), tokensSeen,
                    List.copyOf(losses.subList(0, Math.min(5, losses.size()))),
                    losses.subList(Math.max(0, losses.size() - 50), losses.size()).stream().mapToDouble(d -> d).average()
                            .orElse(Double.NaN),
                    lossesByKind(decoder, rows), log.stepSeconds(), versions(),
                    Sha256.hex(tmp.resolve("model.safetensors")));
            AtomicFiles.writeString(tmp.resolve("pretrain.json"), JSON.writeValueAsString(rec) + "\n", "pretrain.json");
            deleteTree(modelOut);
            Files.createDirectories(modelOut.toAbsolutePath().getParent());
            Files.move(tmp, modelOut, StandardCopyOption.ATOMIC_MOVE);
            return new Result(modelOut, r, rec);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pretrained model folder " + modelOut + ": " + e.getMessage()
                    + "; the training checkpoint in " + trainDir + " is complete: run the same command again", e);
        }
    }

    /** Mean loss per target token on the first {@value #LOSS_ROWS} rows of each kind. */
    static Map<String, Double> lossesByKind(Decoder decoder, CorpusRows.Rows rows) {
        Map<String, List<TokenizedExample>> byKind = new LinkedHashMap<>();
        for (TokenizedExample row : rows.all()) {
            List<TokenizedExample> l = byKind.computeIfAbsent(row.dataset(), k -> new ArrayList<>());
            if (l.size() < LOSS_ROWS) {
                l.add(row);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        try (NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, List<TokenizedExample>> e : byKind.entrySet()) {
                double sum = 0;
                long tokens = 0;
                List<TokenizedExample> l = e.getValue();
                for (int i = 0; i < l.size(); i += 16) {
                    try (PointerScope scope = new PointerScope()) {
                        MicroBatch b = MicroBatch.of(l.subList(i, Math.min(l.size(), i + 16)), decoder.weights().embed.device());
                        sum += b.lossSum(decoder.forward(b.tokens(), b.valid(), null)).item_double();
                        tokens += b.targetTokens();
                    }
                }
                out.put(e.getKey(), sum / Math.max(1, tokens));
            }
        }
        return out;
    }

    private static String generationConfig(ModelConfig c) {
        return "{\n  \"bos_token_id\": " + c.bosTokenId() + ",\n  \"eos_token_id\": " + c.eosTokenIds().get(0)
                + ",\n  \"pad_token_id\": " + org.meftspark.tokenize.ByteTokenizer.PAD
                + ",\n  \"do_sample\": false,\n  \"max_new_tokens\": 32\n}\n";
    }

    private static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("java", Runtime.version().toString());
        v.put("libtorch", TorchRuntime.libtorchVersion());
        v.put("org.bytedeco:pytorch", TorchRuntime.presetVersion());
        return v;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
