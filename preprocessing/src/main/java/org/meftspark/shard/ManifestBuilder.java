package org.meftspark.shard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.meftspark.data.RejectReason;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.tokenize.Tokenizer;

/**
 * Assembles a {@link Manifest} from shard summaries and rejection counts. The Spark job
 * collects {@link ShardWriter.ShardSummary} objects from its partitions and the rejection
 * counts from an accumulator, then builds the manifest on the driver.
 */
public final class ManifestBuilder {
    private final String fingerprint;
    private final int vocabSize;
    private final PromptTemplates templates;
    private final Map<String, String> settings = new TreeMap<>();
    private final List<Manifest.Shard> shards = new ArrayList<>();
    private final TokenStats stats = new TokenStats();
    private final Map<String, Long> rejected = new TreeMap<>();
    private Manifest.Contamination contamination;

    /** Starts a manifest for shards made with this tokenizer and these templates. */
    public ManifestBuilder(Tokenizer tokenizer, PromptTemplates templates) {
        this.fingerprint = tokenizer.fingerprint();
        this.vocabSize = tokenizer.vocabSize();
        this.templates = templates;
    }

    /** Records a run parameter that shaped the rows (e.g. {@code max_length=512}). */
    public ManifestBuilder setting(String key, Object value) {
        settings.put(key, String.valueOf(value));
        return this;
    }

    /** Adds a finished shard, in read order. */
    public ManifestBuilder addShard(ShardWriter.ShardSummary summary) {
        shards.add(summary.shard());
        stats.merge(summary.stats());
        return this;
    }

    /** Counts one rejection. */
    public ManifestBuilder reject(RejectReason reason) {
        return reject(reason.code(), 1);
    }

    /** Adds rejection counts by reason code (e.g. merged from executors; also the job's own, like {@code duplicate_id}). */
    public ManifestBuilder reject(String reasonCode, long count) {
        rejected.merge(reasonCode, count, Long::sum);
        return this;
    }

    /** Records the result of the contamination check. */
    public ManifestBuilder contamination(Manifest.Contamination result) {
        this.contamination = result;
        return this;
    }

    /** The manifest. */
    public Manifest build() {
        Map<String, Long> bySplit = new TreeMap<>();
        for (Manifest.Shard s : shards) {
            s.rowsBySplit().forEach((k, v) -> bySplit.merge(k, v, Long::sum));
        }
        return new Manifest(ShardSchema.FORMAT_VERSION, fingerprint, vocabSize, templates.combinedHash(),
                templates.hashes(), new LinkedHashMap<>(settings), bySplit, Manifest.Stats.of(stats), shards, rejected,
                contamination);
    }
}
