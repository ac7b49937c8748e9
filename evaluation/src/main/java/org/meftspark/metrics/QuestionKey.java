package org.meftspark.metrics;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The form in which a prediction's question is matched to a reference's (issue 18, item 4): NQ-open,
 * EfficientQA and GSM8K files have no ids, so other systems' predictions come as
 * {@code {"question": ..., "prediction": ...}}. Unicode NFKC, lower case, every run of characters that
 * are neither letters nor digits one space, trimmed: "Who wrote Hamlet?" and "who wrote hamlet" match;
 * the words must be the same.
 */
public final class QuestionKey {
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private QuestionKey() {
    }

    /** The key of {@code question}; empty for null or a question without a letter or digit. */
    public static String of(String question) {
        if (question == null) {
            return "";
        }
        String s = Normalizer.normalize(question, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return NON_WORD.matcher(s).replaceAll(" ").strip();
    }
}
