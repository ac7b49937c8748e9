package org.meftspark.prompt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.meftspark.data.Dataset;
import org.meftspark.hash.Sha256;

/**
 * A prompt template with {@code {field}} placeholders (issue 3, item 3). Substitution is
 * plain text replacement: no expressions, no escaping rules beyond {@code {{} and {@code }}}
 * for literal braces, nothing that could run code. Field values are inserted verbatim, so a
 * value containing {@code {x}} is never re-expanded. Placeholders not known to the dataset
 * are refused when the template is parsed, as is a field used twice (truncation must know
 * which single span to cut).
 *
 * <p>The template file's one final newline (editors add it) is dropped; the training target
 * follows the prompt after one space (see {@code SequenceBuilder}).
 */
public final class PromptTemplate implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Dataset dataset;
    private final String source;
    private final String sha256;
    /** Alternating parts: literal text (even indices) and field names (odd indices). */
    private final List<String> parts;

    private PromptTemplate(Dataset dataset, String source, String sha256, List<String> parts) {
        this.dataset = dataset;
        this.source = source;
        this.sha256 = sha256;
        this.parts = parts;
    }

    /**
     * Parses a template.
     *
     * @param source where it came from (a path or classpath resource), for messages and provenance
     * @throws IllegalArgumentException naming the source, the offset and the problem
     */
    public static PromptTemplate parse(Dataset dataset, String text, String source) {
        String body = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        List<String> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        Set<String> seen = new HashSet<>();
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == '{' && i + 1 < body.length() && body.charAt(i + 1) == '{') {
                literal.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < body.length() && body.charAt(i + 1) == '}') {
                literal.append('}');
                i += 2;
            } else if (c == '{') {
                int close = body.indexOf('}', i);
                if (close < 0) {
                    throw bad(source, i, "unclosed '{' (write '{{' for a literal brace)");
                }
                String name = body.substring(i + 1, close);
                if (!dataset.promptFields().contains(name)) {
                    throw bad(source, i, "unknown placeholder {" + name + "}; " + dataset.key() + " templates may use "
                            + dataset.promptFields());
                }
                if (!seen.add(name)) {
                    throw bad(source, i, "placeholder {" + name + "} used twice");
                }
                parts.add(literal.toString());
                parts.add(name);
                literal.setLength(0);
                i = close + 1;
            } else if (c == '}') {
                throw bad(source, i, "unmatched '}' (write '}}' for a literal brace)");
            } else {
                literal.append(c);
                i++;
            }
        }
        parts.add(literal.toString());
        return new PromptTemplate(dataset, source, Sha256.hex(text), List.copyOf(parts));
    }

    private static IllegalArgumentException bad(String source, int offset, String what) {
        return new IllegalArgumentException("prompt template " + source + ", char " + offset + ": " + what);
    }

    /**
     * Fills the placeholders.
     *
     * @throws IllegalArgumentException when a used field has no value
     */
    public RenderedPrompt render(Map<String, String> fields) {
        StringBuilder out = new StringBuilder();
        Map<String, int[]> spans = new HashMap<>();
        for (int p = 0; p < parts.size(); p++) {
            if (p % 2 == 0) {
                out.append(parts.get(p));
            } else {
                String name = parts.get(p);
                String value = fields.get(name);
                if (value == null) {
                    throw new IllegalArgumentException("no value for {" + name + "} in template " + source);
                }
                int start = out.length();
                out.append(value);
                spans.put(name, new int[] {start, out.length()});
            }
        }
        return new RenderedPrompt(out.toString(), spans);
    }

    /** The dataset this template serves. */
    public Dataset dataset() {
        return dataset;
    }

    /** Where the template was loaded from. */
    public String source() {
        return source;
    }

    /** sha256 of the template file's exact text, recorded in the manifest. */
    public String sha256() {
        return sha256;
    }
}
