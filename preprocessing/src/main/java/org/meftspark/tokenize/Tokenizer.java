package org.meftspark.tokenize;

import java.util.OptionalInt;

/**
 * Text to token ids and back. Two implementations: {@link HfTokenizer} over a
 * {@code tokenizer.json} (LLaMA, Mistral, ...) and {@link ByteTokenizer} for the embedded
 * default that needs no files.
 */
public interface Tokenizer extends AutoCloseable {

    /** Tokenizes {@code text} without adding any special token. */
    TokenizedText encode(String text);

    /** Text of {@code ids}, special tokens skipped. */
    String decode(int[] ids);

    /** The id put before every training sequence, if this tokenizer uses one (per its config). */
    OptionalInt bosId();

    /** The id that ends every training sequence (the model learns to stop there). */
    int eosId();

    /** The id a batch is padded with (the tokenizer's pad token, else EOS; always loss-masked). */
    int padId();

    /** Number of ids, i.e. the embedding rows a model needs (max id + 1). */
    int vocabSize();

    /**
     * Identity recorded in the shard manifest so a trainer refuses shards made with another
     * tokenizer: sha256 of tokenizer.json, or the byte tokenizer's fixed id.
     */
    String fingerprint();

    /**
     * Ids that end generation: EOS, and the token that closes an assistant turn of the tokenizer's
     * chat template (Llama 3's {@code <|eot_id|>}) when it has one. A model config's own
     * {@code eos_token_id} list is added by the generator.
     */
    default java.util.List<Integer> endIds() {
        return java.util.List.of(eosId());
    }

    /** The tokenizer's chat template ({@code tokenizer_config.json} {@code chat_template}), if it has one. */
    default java.util.Optional<ChatTemplate> chatTemplate() {
        return java.util.Optional.empty();
    }

    /** Releases native resources, if any. */
    @Override
    void close();
}
