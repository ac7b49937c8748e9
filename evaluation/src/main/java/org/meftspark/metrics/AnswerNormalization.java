package org.meftspark.metrics;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Answer normalisation of the official short-answer scripts (meft-method.md section 7).
 *
 * <p>{@link #SQUAD} is {@code normalize_answer} of the SQuAD v1.1 script {@code evaluate-v1.1.py}:
 * lower-case, remove every character of Python's {@code string.punctuation} (ASCII only), replace the
 * words a/an/the by a space ({@code re.sub(r'\b(a|an|the)\b', ' ', text)}), then join the
 * white-space separated tokens with one space. {@link #NQ_OPEN} is {@code normalize_answer} of the
 * NQ-open evaluation (google-research/language, {@code orqa/utils/eval_utils.py}): Unicode NFD first,
 * then the same four steps.
 *
 * <p>Python semantics are reproduced, not approximated: {@code \b} is Python 3's Unicode word
 * boundary, where a word character is a letter, a number or {@code _} ({@code str.isalnum()}), so
 * a combining mark left by NFD ends a word ("thé" in NFD is "the" + U+0301, and the article goes);
 * {@code str.split()} splits on every character {@code str.isspace()} accepts.
 */
public enum AnswerNormalization {
    /** SQuAD v1.1: lower, strip punctuation, drop articles, collapse white space. */
    SQUAD(false),
    /** NQ-open: Unicode NFD, then the SQuAD steps. */
    NQ_OPEN(true);

    /** Python 3 {@code \b(a|an|the)\b}: word characters are letters, numbers and underscore. */
    private static final Pattern ARTICLES = Pattern.compile("(?<![\\p{L}\\p{N}_])(?:a|an|the)(?![\\p{L}\\p{N}_])");
    /** Python's {@code string.punctuation}. */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private final boolean nfd;

    AnswerNormalization(boolean nfd) {
        this.nfd = nfd;
    }

    /** The normalised answer: tokens joined by one space, possibly empty. */
    public String normalize(String text) {
        return String.join(" ", tokens(text));
    }

    /** The normalised answer split into tokens ({@code normalize_answer(s).split()}). */
    public String[] tokens(String text) {
        String s = nfd ? Normalizer.normalize(text, Normalizer.Form.NFD) : text;
        s = s.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(s.length());
        s.codePoints().filter(cp -> cp >= 128 || PUNCTUATION.indexOf(cp) < 0).forEach(kept::appendCodePoint);
        s = ARTICLES.matcher(kept).replaceAll(" ");
        return splitPythonWhitespace(s);
    }

    /** Python's {@code str.split()}: runs of {@code isspace()} characters separate tokens; none are empty. */
    static String[] splitPythonWhitespace(String s) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean space = isPythonSpace(cp);
            if (space && start >= 0) {
                out.add(s.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out.toArray(String[]::new);
    }

    /**
     * Python's {@code str.isspace()}: Unicode white space (bidi classes WS, B, S or category Zs).
     * Java's {@code isWhitespace} misses the no-break spaces and {@code isSpaceChar} misses the
     * control separators; together they cover Python's set.
     */
    private static boolean isPythonSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }
}
