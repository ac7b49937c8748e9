package org.meftspark.evaluation;

import java.util.EnumMap;
import java.util.Map;
import org.meftspark.config.EvaluationSection;
import org.meftspark.data.Dataset;

/**
 * Decoding settings of an evaluation run. Serializable: the Spark evaluation job sends them to
 * its executors.
 *
 * @param numBeams      1 = greedy; the reference setup uses beam 4 (meft-method.md section 6)
 * @param batchSize     prompts decoded together (left padded); larger batches use the device better
 *                      but pad more when prompt lengths differ
 * @param lengthPenalty beam scores are sum(log p) / length^lengthPenalty (Hugging Face default 1.0)
 * @param perDataset    stop strings and length limit of every dataset that will be decoded
 */
public record DecodingSettings(int numBeams, int batchSize, double lengthPenalty, Map<Dataset, DatasetDecoding> perDataset)
        implements java.io.Serializable {
    /** Validates and copies. */
    public DecodingSettings {
        if (numBeams < 1 || batchSize < 1) {
            throw new IllegalArgumentException("numBeams and batchSize must be at least 1: " + numBeams + ", " + batchSize);
        }
        perDataset = Map.copyOf(perDataset);
    }

    /**
     * The run's {@code evaluation} section: greedy or beam search with its width, its batch size, and
     * the {@link DatasetDecoding#defaults()} capped at its {@code max_new_tokens}.
     */
    public static DecodingSettings from(EvaluationSection cfg) {
        Map<Dataset, DatasetDecoding> per = new EnumMap<>(Dataset.class);
        DatasetDecoding.defaults().forEach((d, dd) -> per.put(d, dd));
        for (EvaluationSection.PerDataset p : cfg.perDataset()) {
            DatasetDecoding dd = per.get(p.dataset());
            per.put(p.dataset(), new DatasetDecoding(p.stop().isEmpty() ? dd.stopStrings() : p.stop(),
                    p.maxNewTokens() == 0 ? dd.maxNewTokens() : p.maxNewTokens()));
        }
        per.replaceAll((d, dd) -> dd.cappedAt(cfg.maxNewTokens()));
        int beams = cfg.decoding() == EvaluationSection.Decoding.GREEDY ? 1 : cfg.beams();
        return new DecodingSettings(beams, cfg.batchSize(), 1.0, per);
    }

    /** The settings of one dataset; refuses a dataset that has none. */
    public DatasetDecoding of(Dataset d) {
        DatasetDecoding dd = perDataset.get(d);
        if (dd == null) {
            throw new IllegalArgumentException("no decoding settings for dataset " + d.key());
        }
        return dd;
    }

    /** A label for provenance and the report, e.g. {@code greedy} or {@code beam4}. */
    public String label() {
        return numBeams == 1 ? "greedy" : "beam" + numBeams;
    }
}
