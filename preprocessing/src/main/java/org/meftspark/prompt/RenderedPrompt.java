package org.meftspark.prompt;

import java.util.Map;

/**
 * A prompt rendered from a template, with the character range each field occupies so
 * truncation can cut tokens of one field only (SQuAD: the context).
 *
 * @param text   the prompt text
 * @param fields field name -> {@code [start, end)} UTF-16 char offsets in {@code text}, shape [2]
 */
public record RenderedPrompt(String text, Map<String, int[]> fields) {
    /** Copies the span map (spans are not mutated after rendering). */
    public RenderedPrompt {
        fields = Map.copyOf(fields);
    }
}
