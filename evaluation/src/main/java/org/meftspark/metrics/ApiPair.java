package org.meftspark.metrics;

/**
 * A ToolBench {@code (tool_name, api_name)} pair in the compared form: lower-cased, inner white space
 * collapsed to one space, trimmed (meft-method.md section 7: sets of lower-cased pairs).
 */
public record ApiPair(String tool, String api) {
    /** Rejects blank parts: a pair needs both names. */
    public ApiPair {
        if (tool.isBlank() || api.isBlank()) {
            throw new IllegalArgumentException("tool and api must be non-blank: '" + tool + "', '" + api + "'");
        }
    }

    @Override
    public String toString() {
        return tool + ", " + api;
    }
}
