package org.meftspark.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.util.Text;

/**
 * Streams one Arrow file written by Hugging Face {@code datasets}' {@code save_to_disk}
 * (the {@code data-NNNNN-of-NNNNN.arrow} files: Arrow IPC <em>stream</em> format), one
 * record batch at a time, and maps each row with {@link RowMapping} (column mapping in
 * docs/dataset-formats.md). Memory is bounded by one record batch.
 */
public final class HfArrowReader implements ReadResults {
    private final Dataset dataset;
    private final String split;
    private final String name;
    private final BufferAllocator allocator;
    private final ArrowStreamReader reader;
    private final ArrayDeque<ReadResult> pending = new ArrayDeque<>();
    private long row;
    private boolean done;

    /**
     * Most bytes of Arrow buffers one reader may hold (one record batch of a
     * save_to_disk file is a few MB); a corrupt length field fails against this limit
     * instead of allocating what the file claims.
     */
    static final long MAX_ARROW_BYTES = 1L << 30;

    /**
     * @param dataset which mapping to apply
     * @param split   split name stamped on every example
     * @param in      the Arrow stream's bytes; closed by {@link #close()}
     * @param name    the file's name for locations and messages
     */
    public HfArrowReader(Dataset dataset, String split, InputStream in, String name) {
        this.dataset = dataset;
        this.split = split;
        this.name = name;
        this.allocator = new RootAllocator(MAX_ARROW_BYTES);
        this.reader = new ArrowStreamReader(CappedMessageReader.of(in, allocator, name), allocator);
    }

    @Override
    public boolean hasNext() {
        while (pending.isEmpty() && !done) {
            loadBatch();
        }
        return !pending.isEmpty();
    }

    @Override
    public ReadResult next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return pending.poll();
    }

    /** Converts one record batch into results; rows are materialised only one batch at a time. */
    private void loadBatch() {
        try {
            if (!reader.loadNextBatch()) {
                done = true;
                if (row == 0) {
                    pending.add(new Rejection(RejectReason.EMPTY_INPUT, "Arrow file holds no rows", new SourceLocation(name, 0, 0)));
                }
                return;
            }
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            List<FieldVector> vectors = root.getFieldVectors();
            for (int i = 0; i < root.getRowCount(); i++) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (FieldVector v : vectors) {
                    values.put(v.getName(), plain(v.getObject(i)));
                }
                pending.add(RowMapping.map(dataset, values, split, new SourceLocation(name, 0, row++)));
            }
        } catch (IOException | RuntimeException e) {
            // Not a readable Arrow stream at all, truncated, or corrupt (Arrow reports bad
            // lengths and offsets as IllegalArgumentException, IndexOutOfBoundsException or
            // its OutOfMemoryException): nothing further can be trusted.
            done = true;
            if (row == 0 && pending.isEmpty()) {
                throw new UnusableInputException(name + " is not a readable Arrow IPC stream (a save_to_disk data-*.arrow file): "
                        + e.getMessage(), e);
            }
            pending.add(new Rejection(RejectReason.MALFORMED_ARROW, "Arrow stream breaks off after row " + row
                    + " (" + e.getMessage() + "); the rows before were read, the rest is lost: re-export the file",
                    new SourceLocation(name, 0, row)));
        }
    }

    /** Arrow's Java values (Text, JsonStringArrayList, JsonStringHashMap) to plain String/List/Map. */
    static Object plain(Object v) {
        if (v instanceof Text t) {
            return t.toString();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(HfArrowReader::plain).toList();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
            return out;
        }
        return v;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + name, e);
        } finally {
            allocator.close();
        }
    }
}
