package org.meftspark.shard;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code manifest.json} of a shard set (docs/shard-format.md): what was written, with what,
 * and what was rejected. Written last, so its presence marks a complete output.
 *
 * @param formatVersion        {@link ShardSchema#FORMAT_VERSION} of the shards
 * @param tokenizerFingerprint sha256 of tokenizer.json, or the byte tokenizer's id
 * @param vocabSize            the tokenizer's id range, so a trainer can size its embedding
 * @param templateHash         one sha256 over all prompt templates
 * @param templateHashes       dataset key -> sha256 of its template
 * @param settings             the run's parameters that shaped the rows (max_length, truncation side, ...)
 * @param countsBySplit        split -> rows
 * @param tokenStats           sequence length statistics over all rows
 * @param shards               every shard file in read order
 * @param rejected             rejection reason code -> count (reader and sequence builder together)
 * @param contamination        the near-duplicate check between training and evaluation questions,
 *                             or null when it was not run (then the key is absent from the JSON)
 */
public record Manifest(int formatVersion, String tokenizerFingerprint, int vocabSize, String templateHash,
                       Map<String, String> templateHashes, Map<String, String> settings,
                       Map<String, Long> countsBySplit, Stats tokenStats, List<Shard> shards,
                       Map<String, Long> rejected,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Contamination contamination)
        implements Serializable {

    /** The manifest's file name in a shard directory. */
    public static final String FILE_NAME = "manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** Copies the collections into immutable sorted ones. */
    public Manifest {
        templateHashes = Map.copyOf(templateHashes);
        settings = Map.copyOf(settings);
        countsBySplit = Map.copyOf(countsBySplit);
        shards = List.copyOf(shards);
        rejected = Map.copyOf(rejected);
    }

    /**
     * One shard file.
     *
     * @param file        file name within the shard directory
     * @param rows        rows in the file
     * @param bytes       file size
     * @param sha256      sha256 of the file's bytes
     * @param rowsBySplit split -> rows in this file
     */
    public record Shard(String file, long rows, long bytes, String sha256, Map<String, Long> rowsBySplit)
            implements Serializable {
        /** Copies the split counts. */
        public Shard {
            rowsBySplit = new TreeMap<>(rowsBySplit);
        }
    }

    /**
     * Sequence length statistics in tokens.
     *
     * @param sequences rows counted
     * @param tokens    total tokens
     * @param mean      mean length
     * @param p50       median (nearest rank)
     * @param p99       99th percentile (nearest rank)
     * @param max       longest
     */
    public record Stats(long sequences, long tokens, double mean, int p50, int p99, int max) implements Serializable {
        /** Summarises a histogram. */
        public static Stats of(TokenStats s) {
            return new Stats(s.sequences(), s.tokens(), s.mean(), s.percentile(50), s.percentile(99), s.max());
        }
    }

    /**
     * Near-duplicate questions between training examples and evaluation examples (every split
     * other than train, of any dataset), found by the Spark job with MinHash LSH over word
     * shingles and confirmed by their exact Jaccard similarity.
     *
     * @param threshold       Jaccard similarity of the shingle sets at or above which two questions are near-duplicates
     * @param shingleWords    words per shingle
     * @param hashTables      MinHash tables; more tables miss fewer pairs and cost more candidate comparisons
     * @param pairs           (training, evaluation) pairs found
     * @param trainExamples   distinct training examples in at least one pair
     * @param removed         of those, how many were removed from the shards (0 unless removal was configured)
     * @param pairsByDatasets {@code trainDataset -> evalDataset/evalSplit} -> pairs
     */
    public record Contamination(double threshold, int shingleWords, int hashTables, long pairs, long trainExamples,
                                long removed, Map<String, Long> pairsByDatasets) implements Serializable {
        /** Copies the counts into a sorted map. */
        public Contamination {
            pairsByDatasets = new TreeMap<>(pairsByDatasets);
        }
    }

    /** Total rows over all shards. */
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public long totalRows() {
        return shards.stream().mapToLong(Shard::rows).sum();
    }

    /** The manifest as pretty-printed JSON with snake_case keys. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("manifest is not serialisable", e);
        }
    }

    /** Parses a manifest; unknown keys from newer writers are refused only if the format version differs. */
    public static Manifest fromJson(byte[] json, String where) {
        try {
            return JSON.copy().configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                    .readValue(json, Manifest.class);
        } catch (IOException e) {
            throw new ShardVerificationException(where + " is not a valid shard manifest: " + e.getMessage(), e);
        }
    }
}
