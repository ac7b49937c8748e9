package org.meftspark.tokenize;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code chat_template} of a {@code tokenizer_config.json} (Jinja), rendered as Hugging Face
 * {@code apply_chat_template} does: HubSpot's Jinjava with {@code trim_blocks} and
 * {@code lstrip_blocks}, variables {@code messages}, {@code add_generation_prompt},
 * {@code bos_token}, {@code eos_token} and the function {@code raise_exception}.
 *
 * <p>An example becomes one user turn (the dataset's prompt) and one assistant turn (its target).
 * {@link #split} cuts the rendering into the prompt, which ends with the generation prompt, and the
 * assistant turn, which ends with the template's end-of-turn text (Llama 3 {@code <|eot_id|>},
 * Mistral {@code </s>}): training puts the loss on the assistant turn only, evaluation generates
 * after the prompt and stops at the end-of-turn token.
 */
public final class ChatTemplate {
    /** Stands for the assistant's content while finding where a turn ends; no template alters it. */
    private static final String MARKER = "MEFTASSISTANTMARKER7f3a";

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinja;
    /** what follows the assistant content: the end of the turn, then what the template adds after the last turn */
    private final String endOfTurn;
    private final String afterLastTurn;

    /**
     * @param template the Jinja source
     * @param bosToken the tokenizer's BOS text (empty when none), as {@code bos_token}
     * @param eosToken the tokenizer's EOS text, as {@code eos_token}
     * @param specials texts of the tokenizer's special tokens: the end of a turn is the first one after the content
     */
    public ChatTemplate(String template, String bosToken, String eosToken, List<String> specials) {
        this.template = template;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        JinjavaConfig config = JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build();
        this.jinja = new Jinjava(config);
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", String.class));
        String withMarker = render(MARKER, MARKER + "-user", false);
        int at = withMarker.indexOf(MARKER + "-user");
        int content = withMarker.indexOf(MARKER, at + MARKER.length() + 5);
        if (at < 0 || content < 0) {
            throw new IllegalArgumentException("chat_template does not show the message contents it is given");
        }
        String after = withMarker.substring(content + MARKER.length());
        int end = after.length();
        int firstSpecial = Integer.MAX_VALUE;
        for (String s : specials) {
            int i = after.indexOf(s);
            if (i >= 0 && i < firstSpecial) {
                firstSpecial = i;
                end = i + s.length();
            }
        }
        this.endOfTurn = after.substring(0, end);
        this.afterLastTurn = after.substring(end);
    }

    /** The message of the last raise_exception on this thread: Jinjava reports only that the function failed. */
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

    /** Called by templates as {@code raise_exception(message)}. */
    public static String raiseException(String message) {
        RAISED.set(message);
        throw new IllegalArgumentException("chat_template: " + message);
    }

    /**
     * Renders a user turn and, when {@code assistant} is not null, the assistant's answer.
     *
     * @throws IllegalArgumentException with the template's own error when it refuses the conversation
     */
    public String render(String assistant, String user, boolean addGenerationPrompt) {
        List<Map<String, Object>> messages = new ArrayList<>();
        messages.add(Map.of("role", "user", "content", user));
        if (assistant != null) {
            messages.add(Map.of("role", "assistant", "content", assistant));
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RAISED.remove();
        RenderResult r = jinja.renderForResult(template, vars);
        List<TemplateError> fatal = r.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            String raised = RAISED.get();
            RAISED.remove();
            throw new IllegalArgumentException("chat_template cannot render this conversation: " + (raised != null
                    ? "raise_exception('" + raised + "')"
                    : fatal.stream().map(TemplateError::getMessage).collect(Collectors.joining("; "))));
        }
        return r.getOutput();
    }

    /**
     * One example as chat text.
     *
     * @param prompt the text before the assistant's content: every turn so far and the generation prompt
     * @param answer the assistant's content and the end of its turn (the loss covers it)
     */
    public record Turn(String prompt, String answer) {
    }

    /**
     * Renders the user turn with the generation prompt (what evaluation generates after) and the full
     * conversation, which must begin with it; the answer is the rest, without what the template adds
     * after the last turn (Llama 3's template opens another assistant header there).
     */
    public Turn split(String user, String assistant) {
        String prompt = render(null, user, true);
        String full = render(assistant, user, false);
        if (!full.startsWith(prompt)) {
            throw new IllegalArgumentException("chat_template renders the conversation so that it does not begin with "
                    + "its generation prompt; the assistant turn cannot be told apart");
        }
        String answer = full.substring(prompt.length());
        if (!afterLastTurn.isEmpty() && answer.endsWith(afterLastTurn)) {
            answer = answer.substring(0, answer.length() - afterLastTurn.length());
        }
        return new Turn(prompt, answer);
    }

    /** The text that closes an assistant turn (its first special token), e.g. {@code <|eot_id|>}. */
    public String endOfTurn() {
        return endOfTurn;
    }
}
