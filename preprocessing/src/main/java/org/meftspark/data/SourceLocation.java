package org.meftspark.data;

import java.io.Serializable;

/**
 * Where a record came from, for rejection messages and provenance.
 *
 * @param file  the input's name as given to the reader (a path or URI)
 * @param line  1-based line number of the record's start, or 0 where the format has no lines (Arrow)
 * @param index 0-based index of the record within the file (JSONL line record, JSON array element,
 *              SQuAD question, Arrow row)
 */
public record SourceLocation(String file, long line, long index) implements Serializable {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file + "#" + index;
    }
}
