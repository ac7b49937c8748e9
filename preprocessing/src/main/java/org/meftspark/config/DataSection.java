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
 */
public record DataSection(List<Input> inputs, String shards, String templates, int maxLength,
                         TruncationSide truncationSide, double devFraction, int shardRows) {

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
    public record Input(Dataset dataset, String path, Format format, String split) {
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
            "Maximum tokens of prompt plus target; examples whose target alone is longer are dropped and counted.");
    public static final Key<TruncationSide> TRUNCATION_SIDE = Key.choice("truncation_side", TruncationSide.class,
            TruncationSide.LEFT, "Side of the prompt (for SQuAD, of the context) cut first when too long.");
    public static final Key<Double> DEV_FRACTION = Key.real("dev_fraction", 0.05, 0.0, false, 0.5,
            "Fraction of examples held out as dev, chosen by hashing the id, when an input has no split.");
    public static final Key<Integer> SHARD_ROWS = Key.integer("shard_rows", 1024, 1, 1 << 20,
            "Maximum rows per Arrow record batch; bounds reader memory.");

    public static final Section<DataSection> SECTION = new Section<>("data",
            "Raw inputs and how they become tokenized Arrow shards.",
            List.of(INPUTS, SHARDS, TEMPLATES, MAX_LENGTH, TRUNCATION_SIDE, DEV_FRACTION, SHARD_ROWS),
            v -> new DataSection(v.get(INPUTS), v.get(SHARDS), v.get(TEMPLATES), v.get(MAX_LENGTH),
                    v.get(TRUNCATION_SIDE), v.get(DEV_FRACTION), v.get(SHARD_ROWS)));
}
