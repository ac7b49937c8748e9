package org.meftspark.data;

import java.io.Serializable;

/**
 * Where a record came from, for rejection messages and provenance.
 *
 * @param file  the input's name as given to the reader (a path or URI)
 * @param line  1-based line number of the record's start, or 0 where the format has no lines (Arrow)
 * @param index 0-based index of the record within the file (JSONL line record, JSON array element,
 *              SQuAD question, Arrow row)
 * @param path  inside one JSON document, the record's JSON path such as
 *              {@code data[3].paragraphs[1].qas[0]} (issue 18: a SQuAD file on one line has one line
 *              number for every question, so the line alone does not find it); empty elsewhere
 */
public record SourceLocation(String file, long line, long index, String path) implements Serializable {

    /** Checks the path is not null. */
    public SourceLocation {
        path = path == null ? "" : path;
    }

    /** A location without a JSON path (JSON Lines, Arrow, Parquet). */
    public SourceLocation(String file, long line, long index) {
        this(file, line, index, "");
    }

    @Override
    public String toString() {
        String at = line > 0 ? file + ":" + line : file + "#" + index;
        return path.isEmpty() ? at : at + " (" + path + ")";
    }
}
