package org.meftspark.metrics;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The final answer of a GSM8K solution (meft-method.md section 7), chosen in this order:
 * <ol>
 *   <li>the first number after the last {@code ####} (the dataset's own answer line);</li>
 *   <li>else the first number after the last {@code The answer is} (case-insensitive, colon
 *       optional; the form chain-of-thought models emit);</li>
 *   <li>else the last number anywhere in the text.</li>
 * </ol>
 * A number is an optional sign (ASCII '-' or U+2212, not glued to a preceding letter or digit, so
 * "3-2" is 3 and 2), digits with optional thousands commas ({@code 1,234,567}; commas are removed),
 * and an optional decimal part; ".5" is 0.5 and "18." is 18 (a full stop). Values are compared as
 * {@link BigDecimal}s, so "18", "18.0" and "18.00" are equal and no binary rounding creeps in.
 *
 * <p>A number longer than {@link #MAX_NUMBER_CHARS} characters is no GSM8K answer: where a rule finds one, the
 * text has no final number (so the row scores 0 rather than a number earlier in the text), and such a gold
 * is unparsable. Parsing it would cost time quadratic in its length (a 1 MiB number took over 5 s).
 */
public final class FinalNumber {
    private static final String NUMBER =
            "(?:(?<![\\p{L}\\p{N}])[-\u2212])?(?:(?:\\d{1,3}(?:,\\d{3})+(?!\\d)|\\d+)(?:\\.\\d+)?|\\.\\d+)";
    private static final Pattern NUMBER_PATTERN = Pattern.compile(NUMBER);
    private static final Pattern HASHES = Pattern.compile("####");
    private static final Pattern ANSWER_IS = Pattern.compile("the answer is", Pattern.CASE_INSENSITIVE);
    /** Far above any GSM8K answer (the longest in train and test is 11 characters), far below a slow parse. */
    static final int MAX_NUMBER_CHARS = 100;

    private FinalNumber() {
    }

    /** Which rule found the number. */
    public enum Source { HASHES, ANSWER_IS, LAST_NUMBER }

    /** A number found in a text, and which rule found it. */
    public record Found(BigDecimal value, Source source) {
    }

    /** The final answer of {@code text}, or empty when it holds no number. */
    public static Optional<Found> extract(String text) {
        Optional<String> v = firstNumberAfterLast(HASHES, text);
        if (v.isPresent()) {
            return found(v.get(), Source.HASHES);
        }
        v = firstNumberAfterLast(ANSWER_IS, text);
        if (v.isPresent()) {
            return found(v.get(), Source.ANSWER_IS);
        }
        Matcher m = NUMBER_PATTERN.matcher(text);
        int start = -1;
        int end = -1;
        while (m.find()) { // positions only: a text of many numbers makes no string per number
            start = m.start();
            end = m.end();
        }
        return start < 0 ? Optional.empty() : found(text.substring(start, end), Source.LAST_NUMBER);
    }

    private static Optional<Found> found(String number, Source source) {
        return number.length() > MAX_NUMBER_CHARS ? Optional.empty() : Optional.of(new Found(parse(number), source));
    }

    /**
     * A gold answer: the whole string must be one number (after trimming, and an optional leading
     * '$'), since golds come cleaned from the {@code #### N} line.
     */
    public static Optional<BigDecimal> parseGold(String gold) {
        String s = gold.strip();
        if (s.startsWith("$")) {
            s = s.substring(1).strip();
        }
        return s.length() <= MAX_NUMBER_CHARS && NUMBER_PATTERN.matcher(s).matches() ? Optional.of(parse(s)) : Optional.empty();
    }

    /** {@code ANS_RE} of the GSM8K authors' {@code grade_school_math/dataset.py}. */
    private static final Pattern OFFICIAL = Pattern.compile("#### (-?[0-9.,]+)");

    /**
     * The GSM8K authors' {@code extract_answer}: the run after the first {@code "#### "}, stripped, commas removed;
     * empty where it returns {@code [invalid]}. Not this class's lenient reading: {@code #### 20.0} is "20.0",
     * {@code #### $15} and {@code ####109} are invalid, and {@code #### 12\n#### 7777} is "12".
     */
    public static Optional<String> official(String text) {
        Matcher m = OFFICIAL.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        String v = m.group(1).strip().replace(",", "");
        return v.length() > MAX_NUMBER_CHARS ? Optional.empty() : Optional.of(v);
    }

    /** Numeric equality: {@code compareTo}, so scale does not matter (18 == 18.00). */
    public static boolean sameValue(BigDecimal a, BigDecimal b) {
        return a.compareTo(b) == 0;
    }

    private static Optional<String> firstNumberAfterLast(Pattern marker, String text) {
        Matcher m = marker.matcher(text);
        int end = -1;
        while (m.find()) {
            end = m.end();
        }
        if (end < 0) {
            return Optional.empty();
        }
        // Only the rest of that line: "#### \n next problem 7" must not read 7 as the answer.
        int eol = text.indexOf('\n', end);
        Matcher n = NUMBER_PATTERN.matcher(text).region(end, eol < 0 ? text.length() : eol);
        return n.find() ? Optional.of(n.group()) : Optional.empty();
    }

    private static BigDecimal parse(String number) {
        return new BigDecimal(number.replace(",", "").replace('\u2212', '-'));
    }
}
