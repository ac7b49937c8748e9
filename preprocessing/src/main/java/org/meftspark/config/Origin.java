package org.meftspark.config;

/**
 * Where a configuration value came from, so that every error can point at it.
 *
 * @param source file name, or {@code --set} for a command-line override
 * @param line   1-based line, or 0 when unknown
 * @param column 1-based column, or 0 when unknown
 */
public record Origin(String source, int line, int column) {

    /** A value that took its documented default. */
    public static final Origin DEFAULT = new Origin("default", 0, 0);

    @Override
    public String toString() {
        return line > 0 ? source + ":" + line + ":" + column : source;
    }
}
