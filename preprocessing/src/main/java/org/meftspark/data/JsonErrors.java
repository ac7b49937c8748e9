package org.meftspark.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.regex.Pattern;

/**
 * A JSON parse error in the project's own words (issue 18, item 7). Jackson's messages name its own
 * internals ({@code StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION}, {@code [Source: REDACTED ...]},
 * token type names such as {@code END_ARRAY}) that tell a user nothing about their file; the
 * location is reported by the caller as file and line, so this keeps only what went wrong.
 */
public final class JsonErrors {
    /** Jackson's embedded location, "[Source: ...; line: 1, column: 5]", and its "(start marker at ...)" form. */
    private static final Pattern LOCATION = Pattern.compile("\\s*\\(start marker at \\[Source:.*?]\\)|\\s*\\[Source:.*?]");
    private static final Pattern FEATURE = Pattern.compile("\\s*\\(?[^()]*(?:Feature|JsonReadFeature)\\.[A-Z_]+[^()]*\\)?");

    private JsonErrors() {
    }

    /** What is wrong, without location or library names; never null. */
    public static String describe(JacksonException e) {
        if (e instanceof JsonEOFException) {
            return "the JSON ends before it is complete (a value, array or object is not closed; is the file truncated?)";
        }
        return describe(e.getOriginalMessage());
    }

    /** The same for a bare message (first line only). */
    public static String describe(String message) {
        if (message == null || message.isBlank()) {
            return "not valid JSON";
        }
        String s = message.lines().findFirst().orElse("");
        s = LOCATION.matcher(s).replaceAll("");
        s = FEATURE.matcher(s).replaceAll("");
        s = s.replace("END_ARRAY", "']'").replace("END_OBJECT", "'}'").replace("START_ARRAY", "'['")
                .replace("START_OBJECT", "'{'").replace("VALUE_STRING", "a string").replace("FIELD_NAME", "a field name");
        s = s.strip();
        if (s.endsWith(":") || s.endsWith(";")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            return "not valid JSON";
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
