package org.meftspark.train;

import java.util.List;
import org.meftspark.model.ModelConfig;
import org.meftspark.shard.ShardReader;
import org.meftspark.shard.ShardStore;
import org.meftspark.tokenize.TokenizedExample;

/** The rows a run trains on, and the checks that they fit the model before anything is trained. */
final class TrainingRows {
    private TrainingRows() {
    }

    /** The {@code train} split of a shard set, refused when its vocabulary is not the model's. */
    static List<TokenizedExample> read(ShardStore shards, ModelConfig model) {
        ShardReader reader = ShardReader.open(shards, null);
        if (reader.manifest().vocabSize() > model.vocabSize()) {
            throw new IllegalArgumentException("shards use a vocabulary of " + reader.manifest().vocabSize() + " tokens ("
                    + reader.manifest().tokenizerFingerprint() + ") but the model has " + model.vocabSize()
                    + "; preprocess with the model's tokenizer");
        }
        List<TokenizedExample> train = reader.rows().filter(r -> r.split().equals("train")).toList();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("the shard set has no rows in split 'train' (splits: "
                    + reader.manifest().countsBySplit() + "); give an input with split: train or a dev_fraction below 1");
        }
        return train;
    }

    /** Every token id inside the model's vocabulary and at least one token to predict per row. */
    static void check(List<TokenizedExample> rows, ModelConfig model) {
        int vocab = model.vocabSize();
        for (TokenizedExample r : rows) {
            for (int id : r.inputIds()) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("row " + r.id() + " (" + r.source() + ") has token id " + id
                            + " outside the model's vocabulary of " + vocab + "; the shards were made with another tokenizer");
                }
            }
            if (r.inputIds().length < 2) {
                throw new IllegalArgumentException("row " + r.id() + " has fewer than 2 tokens; nothing to predict");
            }
        }
    }
}
