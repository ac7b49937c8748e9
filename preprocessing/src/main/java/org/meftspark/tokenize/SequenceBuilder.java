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
 * With a chat template ({@code data.chat_template: model}, issue 19 item 4) the prompt becomes the
 * user turn and the target the assistant turn of the tokenizer's {@link ChatTemplate}; the rendered
 * text is encoded as it is (BOS and the end of the turn are the template's, not added here), the
 * loss covers the assistant turn only, and a generation prompt ends with the template's generation
 * prompt. Truncation cuts the same field as without.
 *
 * Holds no mutable state: as thread-safe as its tokenizer.
 */
public final class SequenceBuilder {
    private final Tokenizer tokenizer;
    private final PromptTemplates templates;
    private final int maxLength;
    private final TruncationSide side;
    /** the tokenizer's chat template when examples are rendered as chats, else null */
    private final ChatTemplate chat;

    /**
     * @param tokenizer text to ids
     * @param templates one template per dataset
     * @param maxLength longest sequence in tokens, BOS and EOS included (e.g. 512); at least 3
     * @param side      which end of the truncatable field loses tokens
     */
    public SequenceBuilder(Tokenizer tokenizer, PromptTemplates templates, int maxLength, TruncationSide side) {
        this(tokenizer, templates, maxLength, side, false);
    }

    /**
     * @param chat render every example through the tokenizer's chat template ({@code data.chat_template: model})
     * @throws IllegalArgumentException when {@code chat} is asked for and the tokenizer has no chat template
     */
    public SequenceBuilder(Tokenizer tokenizer, PromptTemplates templates, int maxLength, TruncationSide side, boolean chat) {
        if (chat && tokenizer.chatTemplate().isEmpty()) {
            throw new IllegalArgumentException("data.chat_template is 'model' but the tokenizer's tokenizer_config.json has "
                    + "no chat_template; use data.chat_template: none, or the tokenizer of an instruction-tuned model");
        }
        this.chat = chat ? tokenizer.chatTemplate().get() : null;
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
        if (chat != null) {
            return buildChat(e);
        }
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

    /** The prompt as a chat's user turn with its generation prompt, the field spans moved to where the content sits. */
    private RenderedPrompt chatPrompt(RenderedPrompt p, ChatTemplate.Turn turn) {
        String content = p.text();
        int at = turn.prompt().indexOf(content);
        int shift = at;
        if (at < 0) { // a template that trims the content (Llama 3: | trim)
            String stripped = content.strip();
            int lead = content.indexOf(stripped);
            at = stripped.isEmpty() ? -1 : turn.prompt().indexOf(stripped);
            shift = at - lead;
        }
        java.util.Map<String, int[]> fields = new java.util.HashMap<>();
        if (at >= 0) {
            int limit = turn.prompt().length();
            int by = shift;
            p.fields().forEach((k, v) -> fields.put(k, new int[] {Math.max(0, v[0] + by), Math.min(limit, v[1] + by)}));
        }
        return new RenderedPrompt(turn.prompt(), fields);
    }

    /** {@link #build} for chats: [template text up to the generation prompt] [assistant turn]. */
    private SequenceResult buildChat(Example e) {
        RenderedPrompt user = templates.get(e.dataset()).render(e.fields());
        ChatTemplate.Turn turn;
        try {
            turn = chat.split(user.text(), e.target());
        } catch (IllegalArgumentException ex) {
            return new SequenceResult.Dropped(new Rejection(RejectReason.CHAT_TEMPLATE_REFUSED, ex.getMessage(), e.source()));
        }
        RenderedPrompt prompt = chatPrompt(user, turn);
        TokenizedText tok = tokenizer.encode(turn.prompt() + turn.answer());
        int n = tok.length();
        int promptChars = turn.prompt().length();
        int k = 0;
        while (k < n && tok.charEnd()[k] <= promptChars) {
            k++;
        }
        int targetTokens = n - k;
        if (targetTokens + 1 > maxLength) {
            return new SequenceResult.Dropped(new Rejection(RejectReason.TARGET_TOO_LONG, "assistant turn is " + targetTokens
                    + " tokens; it leaves no room for a prompt within maxLength " + maxLength, e.source()));
        }
        int budget = maxLength - targetTokens;
        int excess = k - budget;
        boolean[] drop = truncation(tok, k, prompt, e, budget);
        if (drop == null) {
            return new SequenceResult.Dropped(tooLong(e, k, "maxLength " + maxLength));
        }
        int kept = k - Math.max(excess, 0);
        int[] ids = new int[kept + targetTokens];
        int p = 0;
        for (int i = 0; i < k; i++) {
            if (!drop[i]) {
                ids[p++] = tok.ids()[i];
            }
        }
        int promptLength = p;
        System.arraycopy(tok.ids(), k, ids, p, targetTokens);
        return new SequenceResult.Built(new TokenizedExample(e.id(), e.dataset().key(), e.split(), ids, promptLength,
                e.references(), e.source().toString(), Math.max(excess, 0)));
    }

    /** {@link #promptIds(Example, int)} for chats: the template's text up to and with its generation prompt. */
    private PromptResult chatPromptIds(Example e, int maxPromptTokens) {
        RenderedPrompt user = templates.get(e.dataset()).render(e.fields());
        ChatTemplate.Turn turn;
        try {
            turn = chat.split(user.text(), "");
        } catch (IllegalArgumentException ex) {
            return new PromptResult.Dropped(new Rejection(RejectReason.CHAT_TEMPLATE_REFUSED, ex.getMessage(), e.source()));
        }
        RenderedPrompt prompt = chatPrompt(user, turn);
        TokenizedText tok = tokenizer.encode(turn.prompt());
        int k = tok.length();
        boolean[] drop = truncation(tok, k, prompt, e, maxPromptTokens);
        if (drop == null) {
            return new PromptResult.Dropped(tooLong(e, k, "maxPromptTokens " + maxPromptTokens));
        }
        int cut = Math.max(k - maxPromptTokens, 0);
        int[] ids = new int[k - cut];
        int p = 0;
        for (int i = 0; i < k; i++) {
            if (!drop[i]) {
                ids[p++] = tok.ids()[i];
            }
        }
        return new PromptResult.Fits(ids, cut);
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
        if (chat != null) {
            return chatPromptIds(e, maxPromptTokens);
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
        if (chat != null) {
            PromptResult r = chatPromptIds(e, Integer.MAX_VALUE);
            if (r instanceof PromptResult.Fits f) {
                return f.ids();
            }
            throw new IllegalArgumentException(((PromptResult.Dropped) r).rejection().message());
        }
        TokenizedText tok = tokenizer.encode(templates.get(e.dataset()).render(e.fields()).text());
        if (tokenizer.bosId().isEmpty()) {
            return tok.ids();
        }
        int[] ids = new int[tok.length() + 1];
        ids[0] = tokenizer.bosId().getAsInt();
        System.arraycopy(tok.ids(), 0, ids, 1, tok.length());
        return ids;
    }

    /** Whether examples are rendered through the tokenizer's chat template. */
    public boolean chat() {
        return chat != null;
    }

    /** The configured maximum sequence length. */
    public int maxLength() {
        return maxLength;
    }
}
