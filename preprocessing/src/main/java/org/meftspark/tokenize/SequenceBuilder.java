package org.meftspark.tokenize;

import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.data.RejectReason;
import org.meftspark.data.Rejection;
import org.meftspark.prompt.PromptTemplate;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.prompt.RenderedPrompt;

/**
 * Builds the training sequence {@code [BOS] prompt target EOS} of an example (issue 3, item 4), with one
 * length policy per dataset (issue 18, item 2).
 *
 * <ul>
 *   <li>The prompt is the dataset's template filled with the example's fields; the target
 *       follows after one space. The whole text is encoded once, so token boundaries are the
 *       tokenizer's own; a token straddling the prompt/target boundary counts as target.</li>
 *   <li>The loss covers target tokens and EOS only ({@link TokenizedExample#promptLength}).</li>
 *   <li>A target is never cut, nor is a prompt of NQ-open, GSM8K or ToolBench
 *       ({@link Dataset#cutsPrompt()}): a sequence that does not fit is rejected as
 *       {@link RejectReason#TARGET_TOO_LONG} or {@link RejectReason#PROMPT_TOO_LONG}, whichever part is
 *       longer, with both lengths and the excess in the message.</li>
 *   <li>A SQuAD context that does not fit is cut to a window of the context tokens that fit. The window
 *       strides over the passage as Hugging Face's question-answering preprocessing does
 *       ({@code run_qa.py}: windows of the room left, overlapping by {@code stride} tokens, the last one
 *       ending at the passage's end) and the first window holding the first gold answer whole is kept;
 *       none holds it: {@link RejectReason#ANSWER_OUTSIDE_WINDOW}. An unanswerable (v2.0) question keeps
 *       the window at the configured side's opposite end ({@link TruncationSide}).</li>
 * </ul>
 * With a chat template ({@code data.chat_template: model}, issue 19 item 4) the prompt becomes the
 * user turn and the target the assistant turn of the tokenizer's {@link ChatTemplate}; the rendered
 * text is encoded as it is (BOS and the end of the turn are the template's, not added here), the
 * loss covers the assistant turn only, and a generation prompt ends with the template's generation
 * prompt. The length policy is the dataset's, as without: the assistant turn is never cut, the user
 * turn only where the dataset cuts prompts (a SQuAD context, to its answer window); the template's own
 * text is never cut.
 *
 * Holds no mutable state: as thread-safe as its tokenizer.
 */
public final class SequenceBuilder {
    /** Hugging Face's {@code doc_stride} default in {@code run_qa.py}. */
    public static final int DEFAULT_STRIDE = 128;

    private final Tokenizer tokenizer;
    private final PromptTemplates templates;
    private final int maxLength;
    private final TruncationSide side;
    private final int stride;
    /** the tokenizer's chat template when examples are rendered as chats, else null */
    private final ChatTemplate chat;

    /**
     * @param tokenizer text to ids
     * @param templates one template per dataset
     * @param maxLength longest sequence in tokens, BOS and EOS included (e.g. 512); at least 3
     * @param side      which end of an unanswerable SQuAD question's context loses tokens
     * @param stride    context tokens two consecutive SQuAD windows share; at least 0
     * @param chat      render every example through the tokenizer's chat template ({@code data.chat_template: model})
     * @throws IllegalArgumentException when {@code chat} is asked for and the tokenizer has no chat template
     */
    public SequenceBuilder(Tokenizer tokenizer, PromptTemplates templates, int maxLength, TruncationSide side,
                           int stride, boolean chat) {
        if (chat && tokenizer.chatTemplate().isEmpty()) {
            throw new IllegalArgumentException("data.chat_template is 'model' but the tokenizer's tokenizer_config.json has "
                    + "no chat_template; use data.chat_template: none, or the tokenizer of an instruction-tuned model");
        }
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must leave room for BOS, one target token and EOS: " + maxLength);
        }
        if (stride < 0) {
            throw new IllegalArgumentException("stride must be at least 0: " + stride);
        }
        this.tokenizer = tokenizer;
        this.templates = templates;
        this.maxLength = maxLength;
        this.side = side;
        this.stride = stride;
        this.chat = chat ? tokenizer.chatTemplate().get() : null;
    }

    /** A builder without a chat template. */
    public SequenceBuilder(Tokenizer tokenizer, PromptTemplates templates, int maxLength, TruncationSide side,
                           int stride) {
        this(tokenizer, templates, maxLength, side, stride, false);
    }

    /** A builder with Hugging Face's window stride ({@link #DEFAULT_STRIDE}). */
    public SequenceBuilder(Tokenizer tokenizer, PromptTemplates templates, int maxLength, TruncationSide side,
                           boolean chat) {
        this(tokenizer, templates, maxLength, side, DEFAULT_STRIDE, chat);
    }

    /** A builder with Hugging Face's window stride and no chat template. */
    public SequenceBuilder(Tokenizer tokenizer, PromptTemplates templates, int maxLength, TruncationSide side) {
        this(tokenizer, templates, maxLength, side, DEFAULT_STRIDE, false);
    }

    /** Builds the sequence of one example. */
    public SequenceResult build(Example e) {
        if (chat != null) {
            return buildChat(e);
        }
        PromptTemplate template = templates.get(e.dataset());
        RenderedPrompt prompt = template.render(e.fields());
        String text = prompt.text() + " " + e.target();
        int bos = tokenizer.bosId().isPresent() ? 1 : 0;
        return fit(e, prompt, tokenizer.encode(text), bos, 1);
    }

    /**
     * {@link #build} for chats: [template text up to and with the generation prompt] [assistant turn], BOS and
     * the end of the turn being the template's text.
     */
    private SequenceResult buildChat(Example e) {
        RenderedPrompt user = templates.get(e.dataset()).render(e.fields());
        ChatTemplate.Turn turn;
        try {
            turn = chat.split(user.text(), e.target());
        } catch (IllegalArgumentException ex) {
            return new SequenceResult.Dropped(new Rejection(RejectReason.CHAT_TEMPLATE_REFUSED, ex.getMessage(),
                    e.source(), e.id()), 0);
        }
        return fit(e, chatPrompt(user, turn), tokenizer.encode(turn.prompt() + turn.answer()), 0, 0);
    }

    /**
     * The length policy on an encoded {@code prompt + target} text: tokens ending inside {@code prompt}'s text are
     * the prompt, the rest the target.
     *
     * @param bos 1 to put the tokenizer's BOS first, 0 when the text holds its own
     * @param eos 1 to append the tokenizer's EOS, 0 when the text ends its own turn
     */
    private SequenceResult fit(Example e, RenderedPrompt prompt, TokenizedText tok, int bos, int eos) {
        int n = tok.length();
        int promptChars = prompt.text().length();
        int k = 0; // tokens [0, k) are prompt: they end inside the prompt text
        while (k < n && tok.charEnd()[k] <= promptChars) {
            k++;
        }
        int targetTokens = n - k;
        int full = bos + k + targetTokens + eos;
        String added = chat != null ? "" : " (" + (bos + targetTokens + eos) + " with BOS/EOS)";
        if (bos + targetTokens + eos > maxLength) {
            return drop(e, RejectReason.TARGET_TOO_LONG, "the " + (chat != null ? "assistant turn" : "target")
                    + " alone is " + targetTokens + " tokens" + added + ", " + (bos + targetTokens + eos - maxLength)
                    + " over max_length " + maxLength + "; targets are never cut: raise data.max_length to at least "
                    + full + " to keep it", full);
        }
        int budget = maxLength - bos - targetTokens - eos;
        boolean[] drop;
        if (k <= budget) {
            drop = new boolean[k];
        } else if (!e.dataset().cutsPrompt()) {
            boolean targetLonger = targetTokens >= k;
            return drop(e, targetLonger ? RejectReason.TARGET_TOO_LONG : RejectReason.PROMPT_TOO_LONG,
"the sequence is " + full + " tokens (prompt " + k + ", target " + targetTokens
                            + (chat != null ? ", chat template text included" : ", BOS/EOS " + (bos + eos)) + "), " + (full - maxLength) + " over max_length " + maxLength + "; the "
                            + (targetLonger ? "target" : "prompt") + " is the longer part. " + e.dataset().key()
                            + " questions and targets are never cut: raise data.max_length to at least " + full
                            + " to keep it", full);
        } else {
            Window w = window(tok, k, prompt, e, budget, !e.noAnswer());
            if (w.rejection() != null) {
                return new SequenceResult.Dropped(w.rejection(), full);
            }
            drop = w.drop();
        }
        int excess = Math.max(k - budget, 0);
        int kept = k - excess;
        int[] ids = new int[bos + kept + targetTokens + eos];
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
        if (eos == 1) {
            ids[ids.length - 1] = tokenizer.eosId();
        }
        return new SequenceResult.Built(new TokenizedExample(e.id(), e.dataset().key(), e.split(), ids, promptLength,
                e.references(), e.source().toString(), excess, e.question(), e.noAnswer(), e.candidates()));
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

    private SequenceResult drop(Example e, RejectReason reason, String message, int full) {
        return new SequenceResult.Dropped(new Rejection(reason, message, e.source(), e.id()), full);
    }

    /** The prompt tokens a cut drops, or why the example cannot be cut to fit. */
    private record Window(boolean[] drop, Rejection rejection) {
    }

    /**
     * Which of the prompt tokens {@code [0, k)} the cut drops so that at most {@code budget} remain: all but one
     * window of the context's tokens (see the class comment).
     *
     * @param aroundAnswer choose the window holding the first gold answer; false: keep the side's window
     */
    private Window window(TokenizedText tok, int k, RenderedPrompt prompt, Example e, int budget, boolean aroundAnswer) {
        int excess = k - budget;
        int[] span = prompt.fields().get(e.dataset().truncatableField());
        int removable = 0;
        int[] context = new int[k];
        for (int i = 0; span != null && i < k; i++) {
            if (tok.charStart()[i] < span[1] && tok.charEnd()[i] > span[0]) {
                context[removable++] = i;
            }
        }
        if (removable < excess) {
            int fixed = k - removable;
            return new Window(null, new Rejection(RejectReason.PROMPT_TOO_LONG, "the prompt is " + k + " tokens, "
                    + fixed + " of them outside the " + e.dataset().truncatableField() + "; even with the whole "
                    + e.dataset().truncatableField() + " cut it is " + (excess - removable) + " tokens over what "
                    + "max_length " + maxLength + " leaves beside the target: raise data.max_length", e.source(), e.id()));
        }
        int width = removable - excess; // context tokens a window keeps
        int start;
        if (!aroundAnswer || width == 0) {
            start = side == TruncationSide.LEFT ? removable - width : 0;
        } else {
            start = answerWindow(tok, context, removable, width, span[0], e);
            if (start < 0) {
                String where = e.answerStart() < 0 ? "the first gold answer '" + abbreviate(e.target())
                        + "' does not occur in the context"
                        : "no window of " + width + " context tokens (what max_length " + maxLength + " leaves; "
                        + "stride " + stride + ") holds the first gold answer '" + abbreviate(e.target()) + "' whole";
                return new Window(null, new Rejection(RejectReason.ANSWER_OUTSIDE_WINDOW, "the context is " + removable
                        + " tokens and must lose " + excess + "; " + where + ": raise data.max_length", e.source(),
                        e.id()));
            }
        }
        boolean[] drop = new boolean[k];
        for (int j = 0; j < removable; j++) {
            drop[context[j]] = j < start || j >= start + width;
        }
        return new Window(drop, null);
    }

    /**
     * The first stride window (in context-token positions) holding the first gold answer whole, or -1.
     * Windows start at 0, step {@code width - stride} (at least 1), and the last ends at the passage's end.
     */
    private int answerWindow(TokenizedText tok, int[] context, int removable, int width, int fieldStart, Example e) {
        if (e.answerStart() < 0) {
            return -1;
        }
        int from = fieldStart + e.answerStart();
        int to = from + e.target().length();
        int first = -1;
        int last = -1;
        for (int j = 0; j < removable; j++) {
            int t = context[j];
            if (tok.charStart()[t] < to && tok.charEnd()[t] > from) {
                first = first < 0 ? j : first;
                last = j;
            }
        }
        if (first < 0) {
            return -1;
        }
        int step = Math.max(1, width - stride);
        for (int s = 0; ; s = Math.min(s + step, removable - width)) {
            if (s <= first && last < s + width) {
                return s;
            }
            if (s + width >= removable) {
                return -1;
            }
        }
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 40 ? one : one.substring(0, 37) + "...";
    }

    /**
     * Prompt ids for generation, {@code [BOS] prompt} (no target, no EOS), cut by the training policy: when
     * longer than {@code maxPromptTokens} (BOS included), a SQuAD context loses tokens from the configured side
     * (at generation time the answer is not known, so no answer window can be chosen); a prompt of any other
     * dataset is never cut, as in training, and is dropped instead.
     *
     * @param maxPromptTokens most prompt tokens, BOS included; at least 1
     * @return the ids and how many tokens were cut, or the rejection when the prompt cannot fit
     */
    public PromptResult promptIds(Example e, int maxPromptTokens) {
        if (maxPromptTokens < 1) {
            throw new IllegalArgumentException("maxPromptTokens must be at least 1: " + maxPromptTokens);
        }
        RenderedPrompt prompt = templates.get(e.dataset()).render(e.fields());
        int bos = tokenizer.bosId().isPresent() ? 1 : 0;
        if (chat != null) { // the template's text up to and with its generation prompt, BOS included
            ChatTemplate.Turn turn;
            try {
                turn = chat.split(prompt.text(), "");
            } catch (IllegalArgumentException ex) {
                return new PromptResult.Dropped(new Rejection(RejectReason.CHAT_TEMPLATE_REFUSED, ex.getMessage(),
                        e.source(), e.id()));
            }
            prompt = chatPrompt(prompt, turn);
            bos = 0;
        }
        TokenizedText tok = tokenizer.encode(prompt.text());
        int k = tok.length();
        int budget = maxPromptTokens - bos;
        boolean[] drop = new boolean[k];
        if (k > budget) {
            if (!e.dataset().cutsPrompt()) {
                return new PromptResult.Dropped(new Rejection(RejectReason.PROMPT_TOO_LONG, "the prompt is " + k
                        + " tokens, " + (k - budget) + " over maxPromptTokens " + maxPromptTokens + "; "
                        + e.dataset().key() + " prompts are never cut", e.source(), e.id()));
            }
            Window w = window(tok, k, prompt, e, budget, false);
            if (w.rejection() != null) {
                return new PromptResult.Dropped(w.rejection());
            }
            drop = w.drop();
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
            PromptResult r = promptIds(e, Integer.MAX_VALUE);
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
