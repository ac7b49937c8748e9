package org.meftspark.config;

import java.util.List;
import org.meftspark.data.Dataset;
import org.meftspark.tokenize.TruncationSide;

/**
 * Preprocessing: which raw datasets to read and how to turn them into shards.
 *
 * @param inputs         raw dataset files or folders to read
 * @param shards         output directory of the Arrow shards and their manifest
 * @param templates      directory of prompt templates (one file per dataset)
 * @param maxLength      maximum tokens of prompt + target per example
 * @param truncationSide which end of the prompt is cut when prompt + target is too long
 * @param devFraction    fraction of examples, chosen by hashing the id, held out as dev
 *                       when the source gives no split
 * @param shardRows      maximum rows per record batch in a shard
 * @param shardTokens    target tokens per shard file; shards of a split are balanced by token count
 * @param overwrite      replace an existing shard set at {@code shards} instead of refusing
 * @param contaminationCheck     run the near-duplicate check between training and evaluation questions
 * @param contaminationThreshold Jaccard similarity of word-shingle sets at or above which two
 *                               questions count as near-duplicates
 * @param contaminationShingleWords words per shingle
 * @param removeContaminated     drop training examples that near-duplicate an evaluation question
 * @param squadStride            context tokens two consecutive SQuAD answer windows share
 * @param maxRejectFraction      share of a dataset's records that may be rejected before the job exits 1
 * @param chatTemplate           render examples through the tokenizer's chat template (instruction-tuned models)
 * @param contaminationExactMaxPairs up to this many training x evaluation pairs, the check compares every pair
 *                               on the driver instead of prefix filtering in Spark (both are complete)
 */
public record DataSection(List<Input> inputs, String shards, String templates, int maxLength,
                         TruncationSide truncationSide, double devFraction, int shardRows, int shardTokens,
                         boolean overwrite, boolean contaminationCheck, double contaminationThreshold,
                         int contaminationShingleWords, boolean removeContaminated, int squadStride, double maxRejectFraction,
                         ChatTemplateMode chatTemplate, long contaminationExactMaxPairs) implements java.io.Serializable {

    /** Whether examples are rendered as chats (issue 19 item 4). */
    public enum ChatTemplateMode {
        /** prompt template text as it is: {@code [BOS] prompt target EOS} */
        NONE,
        /** the prompt as the user turn and the target as the assistant turn of the tokenizer_config.json chat_template */
        MODEL
    }

    /** On-disk layout of an input. */
    public enum Format {
        /** Decide from the file name: .jsonl/.json published, .parquet, .arrow. */
        AUTO,
        /** The dataset's own published JSON or JSONL layout. */
        PUBLISHED,
        /** Hugging Face datasets export to Parquet. */
        PARQUET,
        /** Hugging Face datasets save_to_disk Arrow files. */
        HF_ARROW
    }

    /**
     * One raw input.
     *
     * @param dataset which task the file holds
     * @param path    file or directory (local path or Hadoop URI)
     * @param format  on-disk layout
     * @param split   split name given to its examples; empty means derive train/dev by hashing the id
     */
    public record Input(Dataset dataset, String path, Format format, String split) implements java.io.Serializable {
        public static final Key<Dataset> DATASET = Key.choice("dataset", Dataset.class, null,
                "Task the file holds; selects reader and prompt template.");
        public static final Key<String> PATH = Key.requiredString("path", ".+", "a path",
                "Raw file or directory, local or any Hadoop URI.");
        public static final Key<Format> FORMAT = Key.choice("format", Format.class, Format.AUTO,
                "On-disk layout; auto decides from the file extension.");
        public static final Key<String> SPLIT = Key.string("split", "", "|[a-z][a-z0-9_]{0,31}",
                "empty, or a lower-case split name such as train, dev, test",
                "Split of every example in this input; empty derives train/dev by hashing the id.");

        public static final Section<Input> SECTION = new Section<>("input", "One raw input.",
                List.of(DATASET, PATH, FORMAT, SPLIT),
                v -> new Input(v.get(DATASET), v.get(PATH), v.get(FORMAT), v.get(SPLIT)));
    }

    public static final Key<List<Input>> INPUTS = Key.sectionList("inputs", Input.SECTION, 0,
            "Raw inputs: each with dataset, path, format and split.");
    public static final Key<String> SHARDS = Key.string("shards", "work/shards", ".+", "a path",
            "Output directory of the Arrow shards and manifest.json.");
    public static final Key<String> TEMPLATES = Key.string("templates", "conf/templates", ".+", "a path",
            "Directory of prompt templates, one per dataset; overrides the built-in ones.");
    /** Reference cut-off is 256 tokens (meft-method.md section 6). */
    public static final Key<Integer> MAX_LENGTH = Key.integer("max_length", 256, 8, 1 << 20,
            "Maximum tokens of prompt plus target; only a SQuAD context is ever cut (to a window holding the answer), "
                    + "other examples that do not fit are rejected and counted; the summary suggests the value that "
                    + "keeps 99%.");
    public static final Key<TruncationSide> TRUNCATION_SIDE = Key.choice("truncation_side", TruncationSide.class,
            TruncationSide.LEFT, "Side of a SQuAD context cut when it is too long and no answer places the window "
                    + "(unanswerable questions, generation prompts); only SQuAD prompts are ever cut.");
    /** Hugging Face's doc_stride default (run_qa.py): windows overlap enough that a short answer is whole in one. */
    public static final Key<Integer> SQUAD_STRIDE = Key.integer("squad_stride", 128, 0, 1 << 20,
            "Context tokens consecutive SQuAD windows share when a context is cut to the window that holds the "
                    + "first gold answer (questions whose answer no window holds are rejected: answer_outside_window).");
    /**
     * 5 %: a reader or length policy that loses more than one record in twenty is a wrong setting or a wrong
     * file far more often than a dirty dataset (the issue-18 run kept 3 of 1,319 GSM8K questions at max_length 256).
     */
    public static final Key<Double> MAX_REJECT_FRACTION = Key.real("max_reject_fraction", 0.05, 0.0, false, 1.0,
            "Share of a dataset's records that may be rejected (bad records, too long) before preprocess and score "
                    + "exit 1 (outputs are still written); duplicates and removed contamination do not count; "
                    + "--allow-rejects accepts any share.");
    public static final Key<Double> DEV_FRACTION = Key.real("dev_fraction", 0.05, 0.0, false, 0.5,
            "Fraction of examples held out as dev, chosen by hashing the id, when an input has no split.");
    public static final Key<Integer> SHARD_ROWS = Key.integer("shard_rows", 1024, 1, 1 << 20,
            "Maximum rows per Arrow record batch; bounds reader memory.");

    /** About 5 MB of Arrow per shard (int32 ids + int8 mask per token): big enough to stream efficiently, small enough to spread. */
    public static final Key<Integer> SHARD_TOKENS = Key.integer("shard_tokens", 1 << 20, 1, 1 << 30,
            "Target tokens per shard file; each split's shards are balanced by token count.");
    public static final Key<Boolean> OVERWRITE = Key.bool("overwrite", false,
            "Replace an existing output at data.shards; without it the job refuses to touch it.");
    public static final Key<Boolean> CONTAMINATION_CHECK = Key.bool("contamination_check", true,
            "Find training questions that near-duplicate an evaluation question (any split but train, any dataset).");
    /**
     * 0.7 over content words: one changed content word in a question of 7 still matches
     * (6/8 = 0.75); two questions sharing only their topic rarely do.
     */
    public static final Key<Double> CONTAMINATION_THRESHOLD = Key.real("contamination_threshold", 0.7, 0.0, true, 1.0,
            "Jaccard similarity of two questions' shingle sets at or above which they are near-duplicates.");
    public static final Key<Integer> CONTAMINATION_SHINGLE_WORDS = Key.integer("contamination_shingle_words", 1, 1, 16,
            "Words per shingle (lower-cased, split on non-word characters, English stop words removed); 1 suits "
                    + "short questions.");
    /**
     * Below this many training x evaluation pairs the check compares every pair on the driver: free of the
     * seconds of query planning each Spark job costs, which made 930 questions take 17 s (issue 20 item 3).
     * 10 million comparisons of short shingle sets take a few seconds. Both paths find every pair.
     */
    public static final Key<Long> CONTAMINATION_EXACT_MAX_PAIRS = Key.longInt("contamination_exact_max_pairs",
            10_000_000L, 0L, Long.MAX_VALUE,
            "Up to this many training x evaluation pairs, every pair is compared on the driver (seconds); above it "
                    + "prefix filtering in Spark compares only pairs sharing a rare shingle. Both find every pair "
                    + "at the threshold. 0 always uses Spark.");
    public static final Key<Boolean> REMOVE_CONTAMINATED = Key.bool("remove_contaminated", false,
            "Drop training examples found to near-duplicate an evaluation question (written to _rejects).");

    public static final Key<ChatTemplateMode> CHAT_TEMPLATE = Key.choice("chat_template", ChatTemplateMode.class,
            ChatTemplateMode.NONE, "none: the prompt template's text as it is; model: each example as a user turn (the "
                    + "prompt) and an assistant turn (the target) of the tokenizer's chat_template, the loss on the "
                    + "assistant turn only and evaluation generating after the template's generation prompt.");

    public static final Section<DataSection> SECTION = new Section<>("data",
            "Raw inputs and how they become tokenized Arrow shards.",
            List.of(INPUTS, SHARDS, TEMPLATES, MAX_LENGTH, TRUNCATION_SIDE, DEV_FRACTION, SHARD_ROWS, SHARD_TOKENS,
                    OVERWRITE, CONTAMINATION_CHECK, CONTAMINATION_THRESHOLD, CONTAMINATION_SHINGLE_WORDS,
                    REMOVE_CONTAMINATED, SQUAD_STRIDE,
                    MAX_REJECT_FRACTION, CHAT_TEMPLATE, CONTAMINATION_EXACT_MAX_PAIRS),
            v -> new DataSection(v.get(INPUTS), v.get(SHARDS), v.get(TEMPLATES), v.get(MAX_LENGTH),
                    v.get(TRUNCATION_SIDE), v.get(DEV_FRACTION), v.get(SHARD_ROWS), v.get(SHARD_TOKENS),
                    v.get(OVERWRITE), v.get(CONTAMINATION_CHECK), v.get(CONTAMINATION_THRESHOLD),
                    v.get(CONTAMINATION_SHINGLE_WORDS), v.get(REMOVE_CONTAMINATED), v.get(SQUAD_STRIDE),
                    v.get(MAX_REJECT_FRACTION), v.get(CHAT_TEMPLATE), v.get(CONTAMINATION_EXACT_MAX_PAIRS)));

    /** The same settings on other inputs, written to other shards. */
    public DataSection withInputs(List<Input> in, String shardsPath) {
        return new DataSection(in, shardsPath, templates, maxLength, truncationSide, devFraction, shardRows, shardTokens,
                overwrite, contaminationCheck, contaminationThreshold, contaminationShingleWords, removeContaminated,
                squadStride, maxRejectFraction, chatTemplate,
                contaminationExactMaxPairs);
    }
}
