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
    /**
     * The manifest's checksum, in the {@code sha256sum} format ({@code sha256sum -c manifest.sha256}
     * checks it by hand). JSON has no checksum of its own: a flipped digit in a row count or a split
     * count still parses, and would be believed.
     */
    public static final String SUM_FILE = "manifest.sha256";

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
     * other than train, of any dataset): every (training, evaluation) pair whose word-shingle sets
     * reach the Jaccard threshold, found completely (issue 20 item 3) either by comparing every pair
     * (small inputs) or by prefix filtering in Spark, which compares only pairs that share one of
     * their rarest shingles and provably misses none above the threshold.
     *
     * @param threshold       Jaccard similarity of the shingle sets at or above which two questions are near-duplicates
     * @param shingleWords    words per shingle
     * @param method          {@link #ALL_PAIRS} or {@link #PREFIX_FILTER}; null in manifests written before
     *                        issue 20, whose MinHash check could miss pairs
     * @param pairs           (training, evaluation) pairs found
     * @param trainExamples   distinct training examples in at least one pair
     * @param removed         of those, how many were removed from the shards (0 unless removal was configured)
     * @param pairsByDatasets {@code trainDataset -> evalDataset/evalSplit} -> pairs
     * @param comparedPairs   training x evaluation pairs whose similarity was computed: every pair for
     *                        {@link #ALL_PAIRS}; for {@link #PREFIX_FILTER} the pairs sharing a prefix shingle, summed
     *                        over shingles (the work the check did, which a skewed input shows here)
     * @param largestBucketPairs training x evaluation pairs of the prefix shingle shared by the most (0 for all pairs)
     * @param largestBucket   that shingle, for the summary (empty for all pairs)
     */
    public record Contamination(double threshold, int shingleWords, String method, long pairs, long trainExamples,
                                long removed, Map<String, Long> pairsByDatasets, long comparedPairs,
                                long largestBucketPairs, String largestBucket) implements Serializable {
        /** Every training x evaluation pair compared on the driver. */
        public static final String ALL_PAIRS = "all pairs";
        /** Prefix-filtering set-similarity join in Spark. */
        public static final String PREFIX_FILTER = "prefix filter";

        /** Copies the counts into a sorted map. */
        public Contamination {
            pairsByDatasets = new TreeMap<>(pairsByDatasets);
        }

        /** The same summary with {@code removed} set. */
        public Contamination withRemoved(long removed) {
            return new Contamination(threshold, shingleWords, method, pairs, trainExamples, removed, pairsByDatasets,
                    comparedPairs, largestBucketPairs, largestBucket);
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

    /**
     * Writes {@link #SUM_FILE} and then {@link #FILE_NAME} into {@code store}; the manifest comes
     * last because its presence marks a complete shard set.
     */
    public void writeTo(ShardStore store) throws IOException {
        byte[] json = toJson();
        write(store, SUM_FILE, (org.meftspark.hash.Sha256.hex(json) + "  " + FILE_NAME + "\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        write(store, FILE_NAME, json);
    }

    private static void write(ShardStore store, String name, byte[] bytes) throws IOException {
        try (ShardStore.PendingFile f = store.create(name)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                f.channel().write(b);
            }
            f.commit();
        }
    }

    /**
     * Reads {@link #FILE_NAME} from {@code store}, checks it against {@link #SUM_FILE} and only then
     * parses it.
     *
     * @throws ShardVerificationException naming the file when either is missing, damaged or they disagree
     */
    public static Manifest readFrom(ShardStore store) throws IOException {
        byte[] json = readAll(store, FILE_NAME);
        if (!store.exists(SUM_FILE)) {
            throw new ShardVerificationException(SUM_FILE + " is missing next to " + FILE_NAME + ", so the manifest "
                    + "cannot be checked: the shard set is damaged or was written before manifest checksums; rerun "
                    + "preprocessing");
        }
        byte[] sums = readAll(store, SUM_FILE);
        String line = new String(sums, java.nio.charset.StandardCharsets.ISO_8859_1);
        String suffix = "  " + FILE_NAME + "\n";
        if (line.length() != 64 + suffix.length() || !line.endsWith(suffix)
                || !line.substring(0, 64).matches("[0-9a-f]{64}")) {
            throw new ShardVerificationException(SUM_FILE + " is damaged: it should hold one line '<64 hex digits>  "
                    + FILE_NAME + "' but holds " + sums.length + " bytes that are not that; rerun preprocessing");
        }
        String expected = line.substring(0, 64);
        String actual = org.meftspark.hash.Sha256.hex(json);
        if (!actual.equals(expected)) {
            throw new ShardVerificationException(FILE_NAME + " is damaged: its SHA-256 is " + actual + " but " + SUM_FILE
                    + " records " + expected + " (" + json.length + " bytes read); nothing was read from it, rerun "
                    + "preprocessing");
        }
        return fromJson(json, FILE_NAME);
    }

    private static byte[] readAll(ShardStore store, String name) throws IOException {
        try (java.io.InputStream in = java.nio.channels.Channels.newInputStream(store.open(name))) {
            return in.readAllBytes();
        }
    }
}
