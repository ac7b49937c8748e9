package org.meftspark.report;

/** HTML text escaping: every piece of dataset or user text goes through here before it is written. */
public final class Html {
    private Html() {
    }

    /**
     * Escapes the five characters that are markup in element content and quoted attribute values
     * (OWASP rule #1/#2), so {@code <script>} in a question is shown as text. Null gives "".
     */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    // Control characters other than tab/newline are invalid in HTML: shown as U+FFFD.
                    sb.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '\uFFFD' : c);
                }
            }
        }
        return sb.toString();
    }
}
