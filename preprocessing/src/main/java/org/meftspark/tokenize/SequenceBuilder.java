package org.meftspark.tokenize;

import org.meftspark.data.Example;
import org.meftspark.data.RejectReason;
import org.meftspark.data.Rejection;
import org.meftspark.prompt.PromptTemplate;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.prompt.RenderedPrompt;

/**
 * Builds the training sequence {@code [BOS] prompt target EOS} of an example (issue 3, item 4).
 *
 * <ul>
 *   <li>The prompt is the dataset's template filled with the example's fields; the target
 *       follows after one space. The whole text is encoded once, so token boundaries are the
 *       tokenizer's own; a token straddling the prompt/target boundary counts as target.</li>
 *   <li>The loss covers target tokens and EOS only ({@link TokenizedExample#promptLength}).</li>
 *   <li>Truncation never cuts the target. It removes tokens of the dataset's truncatable field
 *       ({@link org.meftspark.data.Dataset#truncatableField()}: SQuAD's context, ToolBench's
 *       candidates, the question otherwise) from the configured side; template text is kept.</li>
 *   <li>An example whose target alone (with BOS and EOS) exceeds {@code maxLength} is dropped
 *       as {@link RejectReason#TARGET_TOO_LONG}; one whose prompt does not fit even with its
 *       field emptied is dropped as {@link RejectReason#PROMPT_TOO_LONG}.</li>
 * </ul>
 * Holds no mutable state: as thread-safe as its tokenizer.
 */
public final class SequenceBuilder {
    private final Tokenizer tokenizer;
    private final PromptTemplates templates;
    private final int maxLength;
    private final TruncationSide side;

    /**
     * @param tokenizer text to ids
     * @param templates one template per dataset
     * @param maxLength longest sequence in tokens, BOS and EOS included (e.g. 512); at least 3
     * @param side      which end of the truncatable field loses tokens
     */
    public SequenceBuilder(Tokenizer tokenizer, PromptTemplates templates, int maxLength, TruncationSide side) {
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must leave room for BOS, one target token and EOS: " + maxLength);
        }
        this.tokenizer = tokenizer;
        this.templates = templates;
        this.maxLength = maxLength;
        this.side = side;
    }

    /** Builds the sequence of one example. */
    public SequenceResult build(Example e) {
        PromptTemplate template = templates.get(e.dataset());
        RenderedPrompt prompt = template.render(e.fields());
        String text = prompt.text() + " " + e.target();
        TokenizedText tok = tokenizer.encode(text);
        int n = tok.length();
        int promptChars = prompt.text().length();
        int k = 0; // tokens [0, k) are prompt: they end inside the prompt text
        while (k < n && tok.charEnd()[k] <= promptChars) {
            k++;
        }
        int bos = tokenizer.bosId().isPresent() ? 1 : 0;
        int targetTokens = n - k;
        if (bos + targetTokens + 1 > maxLength) {
            return new SequenceResult.Dropped(new Rejection(RejectReason.TARGET_TOO_LONG, "target is " + targetTokens
                    + " tokens; with BOS/EOS it exceeds maxLength " + maxLength + " (raise maxLength to keep it)", e.source()));
        }
        int budget = maxLength - bos - targetTokens - 1;
        int excess = k - budget;
        boolean[] drop = truncation(tok, k, prompt, e, budget);
        if (drop == null) {
            return new SequenceResult.Dropped(tooLong(e, k, "maxLength " + maxLength));
        }
        int kept = k - Math.max(excess, 0);
        int[] ids = new int[bos + kept + targetTokens + 1];
        int p = 0;
        if (bos == 1) {
            ids[p++] = tokenizer.bosId().getAsInt();
        }
        for (int i = 0; i < k; i++) {
            if (!drop[i]) {
                ids[p++] = tok.ids()[i];
            }
        }
        int promptLength = p;
        System.arraycopy(tok.ids(), k, ids, p, targetTokens);
        ids[ids.length - 1] = tokenizer.eosId();
        return new SequenceResult.Built(new TokenizedExample(e.id(), e.dataset().key(), e.split(), ids, promptLength,
                e.references(), e.source().toString(), Math.max(excess, 0)));
    }

    /**
     * Which of the prompt tokens {@code [0, k)} truncation drops so that at most {@code budget} remain:
     * tokens of the dataset's truncatable field, from the configured side. Null when the field has too
     * few tokens to drop.
     */
    private boolean[] truncation(TokenizedText tok, int k, RenderedPrompt prompt, Example e, int budget) {
        boolean[] drop = new boolean[k];
        int excess = k - budget;
        if (excess <= 0) {
            return drop;
        }
        int[] span = prompt.fields().get(e.dataset().truncatableField());
        int removable = 0;
        int[] candidates = new int[k];
        for (int i = 0; span != null && i < k; i++) {
            if (tok.charStart()[i] < span[1] && tok.charEnd()[i] > span[0]) {
                candidates[removable++] = i;
            }
        }
        if (removable < excess) {
            return null;
        }
        for (int j = 0; j < excess; j++) {
            drop[candidates[side == TruncationSide.LEFT ? j : removable - 1 - j]] = true;
        }
        return drop;
    }

    private static Rejection tooLong(Example e, int promptTokens, String limit) {
        return new Rejection(RejectReason.PROMPT_TOO_LONG, "prompt is " + promptTokens + " tokens and not enough of them belong"
                + " to the truncatable field '" + e.dataset().truncatableField() + "'; it cannot fit " + limit, e.source());
    }

    /**
     * Prompt ids for generation, {@code [BOS] prompt} (no target, no EOS), cut by the training policy:
     * when longer than {@code maxPromptTokens} (BOS included), tokens of the truncatable field go from
     * the configured side, exactly as {@link #build} cuts a training prompt, so a long SQuAD context is
     * shortened the same way in training and evaluation and the prompt plus the generated tokens stay
     * within what the model can attend to.
     *
     * @param maxPromptTokens most prompt tokens, BOS included; at least 1
     * @return the ids and how many tokens were cut, or the rejection when the template text alone is too long
     */
    public PromptResult promptIds(Example e, int maxPromptTokens) {
        if (maxPromptTokens < 1) {
            throw new IllegalArgumentException("maxPromptTokens must be at least 1: " + maxPromptTokens);
        }
        RenderedPrompt prompt = templates.get(e.dataset()).render(e.fields());
        TokenizedText tok = tokenizer.encode(prompt.text());
        int k = tok.length();
        int bos = tokenizer.bosId().isPresent() ? 1 : 0;
        int budget = maxPromptTokens - bos;
        boolean[] drop = truncation(tok, k, prompt, e, budget);
        if (drop == null) {
            return new PromptResult.Dropped(tooLong(e, k, "maxPromptTokens " + maxPromptTokens));
        }
        int cut = Math.max(k - budget, 0);
        int[] ids = new int[bos + k - cut];
        int p = 0;
        if (bos == 1) {
            ids[p++] = tokenizer.bosId().getAsInt();
        }
        for (int i = 0; i < k; i++) {
            if (!drop[i]) {
                ids[p++] = tok.ids()[i];
            }
        }
        return new PromptResult.Fits(ids, cut);
    }

    /** Prompt ids alone, {@code [BOS] prompt}, never truncated (see {@link #promptIds(Example, int)} for generation). */
    public int[] promptIds(Example e) {
        TokenizedText tok = tokenizer.encode(templates.get(e.dataset()).render(e.fields()).text());
        if (tokenizer.bosId().isEmpty()) {
            return tok.ids();
        }
        int[] ids = new int[tok.length() + 1];
        ids[0] = tokenizer.bosId().getAsInt();
        System.arraycopy(tok.ids(), 0, ids, 1, tok.length());
        return ids;
    }

    /** The configured maximum sequence length. */
    public int maxLength() {
        return maxLength;
    }
}
