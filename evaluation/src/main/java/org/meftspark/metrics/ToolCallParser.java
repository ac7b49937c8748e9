package org.meftspark.metrics;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses ToolBench relevant-API output, one {@code tool_name, api_name} per line (the target format of
 * {@code conf/templates/toolbench.txt}), into a set of {@link ApiPair}s. Gold references go through
 * the same parser, so whatever it does to a name it does on both sides.
 *
 * <p>Tolerated, because models add them: list markers ({@code -}, {@code *}, {@code •}, {@code 1.},
 * {@code 2)}, {@code (3)}), fields after the second comma ({@code tool, api, reason}), the
 * {@code tool, api: description} form of the candidate list shown in the prompt, quotes, brackets,
 * backticks and bold around names ({@code ["Tool", "api"]}, {@code **Tool**}), any case and spacing.
 * A non-blank line without two non-empty fields is counted as unparsable and ignored.
 */
public final class ToolCallParser {
    /** Leading list markers, possibly repeated ("- 1. "). */
    private static final Pattern MARKER = Pattern.compile("^(?:[-*•·+>]+\\s*|\\(?\\d{1,3}[.):]\\s+|\\(\\d{1,3}\\)\\s*)+");
    /** Decoration around a name. */
    private static final Pattern WRAP = Pattern.compile("^[\\s\"'`*\\[\\]]+|[\\s\"'`*\\[\\]]+$");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private ToolCallParser() {
    }

    /** Pairs found in a text, and how many non-blank lines were not pairs. */
    public record Parsed(Set<ApiPair> pairs, int unparsableLines) {
        /** Copies the set (insertion order kept). */
        public Parsed {
            pairs = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(pairs));
        }
    }

    /** Parses every line of {@code text}; duplicates collapse (it is a set). */
    public static Parsed parse(String text) {
        Set<ApiPair> pairs = new LinkedHashSet<>();
        int bad = 0;
        for (String line : text.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            Optional<ApiPair> p = parseLine(line);
            if (p.isPresent()) {
                pairs.add(p.get());
            } else {
                bad++;
            }
        }
        return new Parsed(pairs, bad);
    }

    /** One line to a pair, or empty when it holds no {@code tool, api}. */
    public static Optional<ApiPair> parseLine(String line) {
        String s = MARKER.matcher(line.strip()).replaceFirst("");
        String[] fields = s.split(",", -1);
        if (fields.length < 2) {
            return Optional.empty();
        }
        String api = fields[1];
        int colon = api.indexOf(": ");
        if (colon >= 0) {
            api = api.substring(0, colon); // "tool, api: description", the prompt's candidate format
        }
        String t = clean(fields[0]);
        String a = clean(api);
        return t.isEmpty() || a.isEmpty() ? Optional.empty() : Optional.of(new ApiPair(t, a));
    }

    private static String clean(String name) {
        String s = WRAP.matcher(name).replaceAll("");
        return SPACES.matcher(s).replaceAll(" ").toLowerCase(Locale.ROOT);
    }
}
