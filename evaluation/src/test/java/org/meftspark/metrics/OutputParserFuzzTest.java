package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.meftspark.data.Dataset;

/**
 * Fuzzing of the parsers that read a model's generated text (issue 9, item 4): the ToolBench API-pair parser,
 * the GSM8K final-number extractor, and the scorer around them. Any text gives a result, never an exception
 * and never a hang: pathological texts (up to 1 MiB of one separator, a number or a list marker repeated,
 * between random ends; three 10 MiB lines in {@link #tenMibLinesFinishQuickly}) must finish within
 * {@link #BUDGET} on a thread of the default stack size. 1 MiB is enough to expose both failure modes, at a
 * CI cost of seconds: catastrophic regex backtracking (quadratic: hours at 1 MiB) and the recursion of
 * java.util.regex once per repetition of a group (a StackOverflowError well before 1 MiB).
 */
class OutputParserFuzzTest {
    /** Linear parsing of 10 MiB takes a few seconds on this loaded 2-core machine; a quadratic one takes hours. */
    static final Duration BUDGET = Duration.ofSeconds(30);
    static final int ONE_MIB = 1 << 20;

    /** Pieces whose repetition stresses one of the parsers' patterns. */
    static final List<String> UNITS = List.of(" ", ",", "-", "- ", "1. ", "(1) ", "1) ", "*", "\"", "[", "]", "`", "'",
            "\t", ": ", ":", "\n", "\r\n", "\u2028", "a,b\n", ", ", "a ", "1", "9", "1,", ",000", "1,000", "-1",
            "\u2212", ".", "1.", ".5", "####", "#### 1\n", "the answer is ", "The answer is: ", "x", "\u00e9", "\uFFFD");
    static final List<String> ENDS = List.of("", "x", "!", "\n", "1", ",x", " 7", "a, b");

    @Provide
    Arbitrary<String> pathological() {
        return Combinators.combine(Arbitraries.of(ENDS), Arbitraries.of(UNITS), Arbitraries.integers().between(1, ONE_MIB),
                Arbitraries.of(ENDS)).as((head, unit, chars, tail) -> head + unit.repeat(Math.max(1, chars / unit.length())) + tail);
    }

    @Property(tries = 30)
    void pathologicalTextsFinishQuickly(@ForAll("pathological") String text) {
        scoreWithinBudget(text, List.of(Dataset.values()));
    }

    /**
     * The three shapes that hung or crashed before the parsers were bounded: 10 MiB of spaces inside a tool
     * name (quadratic decoration stripping), 10 MiB of digits (a quadratic BigDecimal parse) and a line of a
     * million-and-more list markers (regex recursion).
     */
    @org.junit.jupiter.api.Test
    void tenMibLinesFinishQuickly() {
        int n = 10 << 20;
        // The two parsers' own datasets only: NQ-open and SQuAD normalisation of 10 MiB is linear but takes
        // seconds each on a loaded machine, and the 1 MiB property covers it.
        List<Dataset> own = List.of(Dataset.TOOLBENCH, Dataset.GSM8K);
        scoreWithinBudget("a" + " ".repeat(n) + "b, api", own);
        scoreWithinBudget("#### " + "9".repeat(n), own);
        scoreWithinBudget("- ".repeat(n / 2) + "tool, api", own);
        assertThat(FinalNumber.extract("#### " + "9".repeat(n))).as("a 10 MiB number is no answer").isEmpty();
        assertThat(ToolCallParser.parse("- ".repeat(n / 2) + "tool, api").pairs()).containsExactly(new ApiPair("tool", "api"));
    }

    static void scoreWithinBudget(String text, List<Dataset> datasets) {
        assertTimeoutPreemptively(BUDGET, () -> {
            ToolCallParser.Parsed p = ToolCallParser.parse(text);
            checkPairs(p.pairs());
            FinalNumber.extract(text);
            for (Dataset d : datasets) {
                assertThat(TaskScorer.score(d, text, List.of(reference(d))).dataset()).isEqualTo(d);
            }
        }, () -> "a text of " + text.length() + " chars starting " + text.substring(0, Math.min(40, text.length())));
    }

    @Property(tries = 1000)
    void anyTextParsesToPairsAndACount(@ForAll @StringLength(max = 400) String text) {
        ToolCallParser.Parsed p = ToolCallParser.parse(text);
        checkPairs(p.pairs());
        long nonBlank = text.lines().filter(l -> !l.isBlank()).count();
        assertThat(p.unparsableLines()).isBetween(0, Math.toIntExact(Math.max(nonBlank, text.split("\\R").length)));
    }

    /** Names as the compared form has them: lower case, single spaces, no surrounding decoration. */
    static void checkPairs(Set<ApiPair> pairs) {
        for (ApiPair a : pairs) {
            for (String name : List.of(a.tool(), a.api())) {
                assertThat(name).isNotBlank().isEqualTo(name.strip()).doesNotContain("  ");
            }
        }
    }

    @Property(tries = 1000)
    void anyTextGivesANumberFromTheTextOrNone(@ForAll @StringLength(max = 400) String text) {
        Optional<FinalNumber.Found> f = FinalNumber.extract(text);
        if (f.isPresent()) { // thousands commas are dropped from the value; ".5" has no integer digits
            assertThat(text.replace(",", "")).containsAnyOf(f.get().value().abs().toBigInteger().toString(), ".");
        } else {
            assertThat(text.chars().noneMatch(c -> c >= '0' && c <= '9')).as("no ASCII digit in %s", text).isTrue();
        }
    }

    /** The rule the GSM8K prompt teaches: whatever noise comes first, "#### N" at the end is read as N. */
    @Property(tries = 500)
    void theHashesLineWinsOverAnyNoise(@ForAll @StringLength(max = 300) String noise, @ForAll long n,
                                       @ForAll @IntRange(min = 0, max = 4) int decimals) {
        BigDecimal v = BigDecimal.valueOf(n, decimals);
        String text = noise.replace("####", "") + "\n#### " + v.toPlainString();
        Optional<FinalNumber.Found> f = FinalNumber.extract(text);
        assertThat(f).isPresent();
        assertThat(f.get().source()).isEqualTo(FinalNumber.Source.HASHES);
        assertThat(FinalNumber.sameValue(f.get().value(), v)).as("%s", text).isTrue();
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars(' ', '(', ')', '_', '.').ofMinLength(1).ofMaxLength(30)
                .filter(s -> !s.isBlank());
    }

    /** Pairs written with the decorations models add come back as the same set. */
    @Property(tries = 500)
    void decoratedPairsRoundTrip(@ForAll @Size(max = 8) List<@net.jqwik.api.From("names") String> tools,
                                 @ForAll("names") String api, @ForAll @IntRange(min = 0, max = 5) int style) {
        StringBuilder text = new StringBuilder("Relevant APIs:\n");
        Set<ApiPair> want = new java.util.LinkedHashSet<>();
        int i = 1;
        for (String t : tools) {
            String line = switch (style) {
                case 0 -> t + ", " + api;
                case 1 -> "- " + t + ", " + api;
                case 2 -> i + ". **" + t + "**, `" + api + "`";
                case 3 -> "[\"" + t + "\", \"" + api + "\"]";
                case 4 -> "(" + i + ") " + t.toUpperCase(java.util.Locale.ROOT) + " ,  " + api + ": does things";
                default -> "* " + t + ", " + api + ", because";
            };
            text.append(line).append('\n');
            want.add(new ApiPair(norm(t), norm(api)));
            i++;
        }
        assertThat(ToolCallParser.parse(text.toString()).pairs()).isEqualTo(want);
    }

    private static String norm(String name) {
        return name.strip().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT);
    }

    private static String reference(Dataset d) {
        return switch (d) {
            case TOOLBENCH -> "tool, api";
            case GSM8K -> "18";
            default -> "paris";
        };
    }
}
