package org.meftspark.evaluation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.generation.GenerationConfig;
import org.meftspark.generation.TextGenerator;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderHooks;
import org.meftspark.model.ModelFolder;
import org.meftspark.tokenize.PromptResult;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.tokenize.Tokenizer;

/**
 * Generates answers for evaluation prompts: batched greedy or beam decoding ({@link TextGenerator})
 * with per-dataset stop strings and length limits, through an optional adapter.
 *
 * <p>The adapter is any {@link DecoderHooks} (MEFT, LoRA, Parallel Adapter, or none): it is installed
 * on the decoder for the duration of each call and the decoder's previous hooks are put back after,
 * so one loaded base model can serve several adapters in turn. Load this once per executor (model
 * loading dominates) and call it per partition; it is not thread-safe, as the decoder is not.
 *
 * <p>Prompts of one dataset are sorted by length before batching, so a batch pads little; the output
 * keeps the input order.
 */
public final class PredictionGenerator {
    private final Decoder decoder;
    private final DecoderHooks hooks;
    private final Tokenizer tokenizer;
    private final DecodingSettings settings;
    private final List<Integer> eosIds;
    private final Map<Dataset, List<long[]>> stopTokens = new EnumMap<>(Dataset.class);

    /**
     * @param decoder   the frozen base model
     * @param hooks     the adapter, or null for the base model alone
     * @param tokenizer the run's tokenizer (the one the shards and the adapter were made with)
     * @param settings  beams, batch size, per-dataset stop strings and lengths
     */
    public PredictionGenerator(Decoder decoder, DecoderHooks hooks, Tokenizer tokenizer, DecodingSettings settings) {
        if (tokenizer.vocabSize() > decoder.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model only "
                    + decoder.config().vocabSize() + " embedding rows: wrong tokenizer for this model");
        }
        this.decoder = decoder;
        this.hooks = hooks == null ? DecoderHooks.NONE : hooks;
        this.tokenizer = tokenizer;
        this.settings = settings;
        Set<Integer> eos = new LinkedHashSet<>(decoder.config().eosTokenIds());
        // training sequences end with the tokenizer's EOS, or with its chat template's end of turn
        eos.addAll(tokenizer.endIds());
        this.eosIds = List.copyOf(eos);
        settings.perDataset().forEach((d, dd) -> stopTokens.put(d, StopStrings.tokenSequences(tokenizer, dd.stopStrings())));
    }

    /** Loads a Hugging Face model folder ({@link ModelFolder#load}) and wraps it. */
    public static PredictionGenerator open(Path modelFolder, Device device, ScalarType dtype, DecoderHooks hooks,
                                           Tokenizer tokenizer, DecodingSettings settings) {
        return new PredictionGenerator(ModelFolder.load(modelFolder, device, dtype), hooks, tokenizer, settings);
    }

    /** The longest prompt of a dataset that leaves room for its new tokens within the model's positions. */
    public int maxPromptTokens(Dataset d) {
        // positionLimit: max_position_embeddings, stretched where linear or dynamic rope scaling says so
        return (int) Math.min(Integer.MAX_VALUE, decoder.config().positionLimit() - settings.of(d).maxNewTokens());
    }

    /**
     * Answers raw examples. Prompts are built by {@code prompts} (the run's templates and tokenizer)
     * and cut by the training truncation policy to at most {@code prompts.maxLength() - 1} tokens (a
     * prompt as long as a training sequence allows) and to {@link #maxPromptTokens}.
     */
    public GenerationResult generate(List<Example> examples, SequenceBuilder prompts) {
        List<PromptInput> inputs = new ArrayList<>();
        List<GenerationResult.Skipped> skipped = new ArrayList<>();
        for (Example e : examples) {
            int limit = Math.min(prompts.maxLength() - 1, maxPromptTokens(e.dataset()));
            if (limit < 1) {
                skipped.add(new GenerationResult.Skipped(e.id(), e.dataset(), "no room for a prompt: max_new_tokens "
                        + settings.of(e.dataset()).maxNewTokens() + " fills the model's " + decoder.config().positionLimit() + " positions"));
                continue;
            }
            PromptResult r = prompts.promptIds(e, limit);
            if (r instanceof PromptResult.Fits f) {
                inputs.add(new PromptInput(e.id(), e.dataset(), f.ids(), e.references(), f.truncatedTokens()));
            } else {
                skipped.add(new GenerationResult.Skipped(e.id(), e.dataset(), ((PromptResult.Dropped) r).rejection().message()));
            }
        }
        return merge(generatePrompts(inputs), skipped);
    }

    /**
     * Answers rows of evaluation shards: the prompt is {@code inputIds[0, promptLength)}, already cut by
     * the training policy when the shard was written.
     */
    public GenerationResult generateTokenized(List<TokenizedExample> rows) {
        List<PromptInput> inputs = new ArrayList<>();
        List<GenerationResult.Skipped> skipped = new ArrayList<>();
        for (TokenizedExample t : rows) {
            Dataset d;
            try {
                d = Dataset.fromKey(t.dataset());
            } catch (IllegalArgumentException ex) {
                skipped.add(new GenerationResult.Skipped(t.id(), null, ex.getMessage()));
                continue;
            }
            if (t.promptLength() == 0 || t.promptLength() > maxPromptTokens(d)) {
                skipped.add(new GenerationResult.Skipped(t.id(), d, "prompt of " + t.promptLength() + " tokens does not fit: "
                        + maxPromptTokens(d) + " at most leave room for " + settings.of(d).maxNewTokens() + " new tokens"));
                continue;
            }
            inputs.add(new PromptInput(t.id(), d, Arrays.copyOf(t.inputIds(), t.promptLength()), t.references(), t.truncatedTokens()));
        }
        return merge(generatePrompts(inputs), skipped);
    }

    /** Answers prompts given as token ids; every input gets a prediction, in input order. */
    public GenerationResult generatePrompts(List<PromptInput> inputs) {
        Prediction[] out = new Prediction[inputs.size()];
        Map<Dataset, List<Integer>> byDataset = new EnumMap<>(Dataset.class);
        for (int i = 0; i < inputs.size(); i++) {
            PromptInput in = inputs.get(i);
            if (in.promptIds().length == 0) {
                throw new IllegalArgumentException(in.id() + ": empty prompt (a prompt has at least BOS)");
            }
            byDataset.computeIfAbsent(in.dataset(), d -> new ArrayList<>()).add(i);
        }
        DecoderHooks previous = decoder.hooks();
        decoder.setHooks(hooks);
        try {
            TextGenerator generator = new TextGenerator(decoder);
            byDataset.forEach((d, idx) -> {
                DatasetDecoding dd = settings.of(d);
                GenerationConfig cfg = new GenerationConfig(dd.maxNewTokens(), settings.numBeams(), eosIds, stopTokens.get(d),
                        tokenizer.padId(), settings.lengthPenalty());
                idx.sort(Comparator.comparingInt((Integer i) -> -inputs.get(i).promptIds().length));
                for (int from = 0; from < idx.size(); from += settings.batchSize()) {
                    List<Integer> batch = idx.subList(from, Math.min(from + settings.batchSize(), idx.size()));
                    List<long[]> prompts = new ArrayList<>();
                    for (int i : batch) {
                        prompts.add(Arrays.stream(inputs.get(i).promptIds()).asLongStream().toArray());
                    }
                    List<long[]> generated = generator.generate(prompts, cfg);
                    for (int j = 0; j < batch.size(); j++) {
                        PromptInput in = inputs.get(batch.get(j));
                        int[] ids = Arrays.stream(generated.get(j)).mapToInt(x -> (int) x).toArray();
                        String text = StopStrings.cut(tokenizer.decode(ids), dd.stopStrings()).strip();
                        out[batch.get(j)] = new Prediction(in.id(), d, tokenizer.decode(in.promptIds()), text, in.references(),
                                in.promptIds().length, in.truncatedTokens(), ids.length);
                    }
                }
            });
        } finally {
            decoder.setHooks(previous);
        }
        return new GenerationResult(Arrays.asList(out), List.of());
    }

    private static GenerationResult merge(GenerationResult r, List<GenerationResult.Skipped> skipped) {
        List<GenerationResult.Skipped> all = new ArrayList<>(skipped);
        all.addAll(r.skipped());
        return new GenerationResult(r.predictions(), all);
    }
}
