package org.meftspark.shard;

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
 */
public record Manifest(int formatVersion, String tokenizerFingerprint, int vocabSize, String templateHash,
                       Map<String, String> templateHashes, Map<String, String> settings,
                       Map<String, Long> countsBySplit, Stats tokenStats, List<Shard> shards,
                       Map<String, Long> rejected) implements Serializable {

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
