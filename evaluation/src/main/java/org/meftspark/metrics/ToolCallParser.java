package org.meftspark.metrics;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
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
    /**
     * One leading list marker. Markers are stripped one at a time ("- 1. " is two): as one repeated group,
     * java.util.regex recursed once per repetition, and a long run of markers overflowed the stack.
     */
    private static final Pattern MARKER = Pattern.compile("[-*•·+>]+\\s*|\\(?\\d{1,3}[.):]\\s+|\\(\\d{1,3}\\)\\s*");
    /** Line breaks: any of the ones {@code \R} matches in a pattern. */
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");
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
        // Walked with a matcher rather than split: 10 MiB of line breaks would be 10 million empty strings.
        Matcher breaks = LINE_BREAK.matcher(text);
        int start = 0;
        while (start <= text.length()) {
            int end = text.length();
            int next = text.length() + 1;
            if (breaks.find()) {
                end = breaks.start();
                next = breaks.end();
            }
            String line = text.substring(start, end);
            start = next;
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
        String s = stripMarkers(line.strip());
        // The first two comma-separated fields (split would make an array of every field of a long line).
        int c1 = s.indexOf(',');
        if (c1 < 0) {
            return Optional.empty();
        }
        int c2 = s.indexOf(',', c1 + 1);
        String api = c2 < 0 ? s.substring(c1 + 1) : s.substring(c1 + 1, c2);
        int colon = api.indexOf(": ");
        if (colon >= 0) {
            api = api.substring(0, colon); // "tool, api: description", the prompt's candidate format
        }
        String t = clean(s.substring(0, c1));
        String a = clean(api);
        return t.isEmpty() || a.isEmpty() ? Optional.empty() : Optional.of(new ApiPair(t, a));
    }

    private static String stripMarkers(String s) {
        Matcher m = MARKER.matcher(s);
        int at = 0;
        while (at < s.length()) {
            m.region(at, s.length());
            if (!m.lookingAt() || m.end() == at) {
                break;
            }
            at = m.end();
        }
        return s.substring(at);
    }

    /**
     * Strips decoration from both ends, then collapses spaces and lower-cases. A loop, not a pattern: an
     * end-anchored {@code [...]+$} retried from every position of a long run of spaces inside a name was
     * quadratic (10 MiB of spaces did not finish in 20 s).
     */
    private static String clean(String name) {
        int from = 0;
        int to = name.length();
        while (from < to && decoration(name.charAt(from))) {
            from++;
        }
        while (to > from && decoration(name.charAt(to - 1))) {
            to--;
        }
        return SPACES.matcher(name.substring(from, to)).replaceAll(" ").toLowerCase(Locale.ROOT);
    }

    /** White space as {@code \\s} means it (ASCII), quotes, backticks, asterisks and brackets. */
    private static boolean decoration(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r'
                || c == '"' || c == '\'' || c == '`' || c == '*' || c == '[' || c == ']';
    }
}
