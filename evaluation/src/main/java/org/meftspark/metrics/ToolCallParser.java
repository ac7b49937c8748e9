package org.meftspark.metrics;

import java.util.LinkedHashSet;
import java.util.List;
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
 *
 * <p>A line with more than one comma or a {@code ": "} cannot be split safely: a tool named
 * {@code Acme, Inc.} or an API named {@code get: weather} would be cut in the wrong place, and a wrong
 * API could then look like a right one. When the query's candidate APIs are known, such a line is
 * matched against them instead: the candidate whose {@code tool, api} the line is (or starts with,
 * followed by {@code ,} or {@code :}) is the pair; a line that matches no candidate or several is
 * unparsable (issue 18, item 6). Without candidates the first comma and first {@code ": "} split it.
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

    /** Parses every line of {@code text} without a candidate list; duplicates collapse (it is a set). */
    public static Parsed parse(String text) {
        return parse(text, List.of());
    }

    /** Parses every line of {@code text}, resolving ambiguous lines against {@code candidates} ({@code tool + TAB + api}). */
    public static Parsed parse(String text, List<String> candidates) {
        List<ApiPair[]> known = candidatePairs(candidates);
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
            Optional<ApiPair> p = resolve(line, known);
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
        return split(stripMarkers(line.strip()));
    }

    /** One line to a pair, an ambiguous line resolved against {@code candidates} ({@code tool + TAB + api}). */
    public static Optional<ApiPair> parseLine(String line, List<String> candidates) {
        return resolve(line, candidatePairs(candidates));
    }

    private static Optional<ApiPair> resolve(String line, List<ApiPair[]> candidates) {
        String s = stripMarkers(line.strip());
        if (candidates.isEmpty() || !ambiguous(s)) {
            return split(s);
        }
        String key = matchKey(s);
        ApiPair exact = null;
        ApiPair prefix = null;
        int exacts = 0;
        int prefixes = 0;
        for (ApiPair[] c : candidates) {
            String full = c[1].tool() + ", " + c[1].api();
            if (key.equals(full)) {
                exacts += exact == null || !exact.equals(c[0]) ? 1 : 0;
                exact = c[0];
            } else if (key.startsWith(full + ",") || key.startsWith(full + ":")) {
                prefixes += prefix == null || !prefix.equals(c[0]) ? 1 : 0;
                prefix = c[0];
            }
        }
        if (exacts == 1) {
            return Optional.of(exact);
        }
        return exacts == 0 && prefixes == 1 ? Optional.of(prefix) : Optional.empty();
    }

    /** More than one comma, or a {@code ": "}: the first comma may not be the one between tool and api. */
    private static boolean ambiguous(String s) {
        int c1 = s.indexOf(',');
        return s.contains(": ") || (c1 >= 0 && s.indexOf(',', c1 + 1) >= 0);
    }

    /** {pair as compared, pair in the match-key form} per distinct candidate. */
    private static List<ApiPair[]> candidatePairs(List<String> candidates) {
        List<ApiPair[]> out = new java.util.ArrayList<>();
        for (String c : candidates) {
            int tab = c.indexOf('\t');
            if (tab <= 0) {
                continue;
            }
            String t = clean(c.substring(0, tab));
            String a = clean(c.substring(tab + 1));
            if (!t.isEmpty() && !a.isEmpty()) {
                out.add(new ApiPair[] {new ApiPair(t, a), new ApiPair(matchKey(t), matchKey(a))});
            }
        }
        return out;
    }

    /**
     * A line or name as candidates are matched: decoration removed everywhere (quotes, backticks, asterisks,
     * brackets), white space collapsed, ", " after every comma and ": " after every colon, lower case.
     */
    private static String matchKey(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`' || c == '*' || c == '[' || c == ']') {
                continue;
            }
            b.append(c);
        }
        String t = SPACES.matcher(b.toString()).replaceAll(" ").strip();
        t = t.replaceAll(" ?, ?", ", ").replaceAll(" ?: ?", ": ");
        return t.toLowerCase(Locale.ROOT);
    }

    /** The first comma and the first ": " after it split a line; empty when it holds no {@code tool, api}. */
    private static Optional<ApiPair> split(String s) {
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
