package org.meftspark.shard;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.meftspark.tokenize.TokenizedExample;

/**
 * Writes one shard: an Arrow IPC file of {@link ShardSchema} rows in record batches bounded
 * both in rows and in tokens, so a reader's memory is bounded whatever the sequence lengths.
 * The bytes are hashed as they are written; {@link #finish()} returns the shard's manifest
 * entry. Not thread-safe: one writer per partition.
 */
public final class ShardWriter implements AutoCloseable {
    private final String name;
    private final int maxBatchRows;
    private final long maxBatchTokens;
    private final BufferAllocator allocator = new RootAllocator();
    private final VectorSchemaRoot root = VectorSchemaRoot.create(ShardSchema.SCHEMA, allocator);
    private final DigestChannels.Writing channel;
    private final ArrowFileWriter writer;
    private final TokenStats stats = new TokenStats();
    private final Map<String, Long> rowsBySplit = new TreeMap<>();
    private int batchRows;
    private long batchTokens;
    private long rows;
    private boolean finished;
    private boolean closed;
    /** A run of mask value 1, copied for each row's target positions. */
    private byte[] ones = new byte[0];

    /**
     * @param out            where the file's bytes go (left open: its owner commits it)
     * @param name           the shard's file name, recorded in the manifest
     * @param maxBatchRows   rows per record batch at most (e.g. 1024)
     * @param maxBatchTokens tokens per record batch at most (e.g. 1 Mi); a longer single row still gets its own batch
     */
    public ShardWriter(java.nio.channels.WritableByteChannel out, String name, int maxBatchRows, long maxBatchTokens)
            throws IOException {
        if (maxBatchRows <= 0 || maxBatchTokens <= 0) {
            throw new IllegalArgumentException("batch bounds must be positive");
        }
        this.name = name;
        this.maxBatchRows = maxBatchRows;
        this.maxBatchTokens = maxBatchTokens;
        this.channel = new DigestChannels.Writing(out);
        this.writer = new ArrowFileWriter(root, null, channel);
        writer.start();
        root.allocateNew();
    }

    /** Appends one row, flushing a batch first when the bounds would be exceeded. */
    public void write(TokenizedExample e) throws IOException {
        int len = e.inputIds().length;
        if (batchRows > 0 && (batchRows >= maxBatchRows || batchTokens + len > maxBatchTokens)) {
            flush();
        }
        int i = batchRows;
        ((VarCharVector) root.getVector(ShardSchema.ID)).setSafe(i, utf8(e.id()));
        ((VarCharVector) root.getVector(ShardSchema.DATASET)).setSafe(i, utf8(e.dataset()));
        ((VarCharVector) root.getVector(ShardSchema.SPLIT)).setSafe(i, utf8(e.split()));
        // Tokens and mask are copied in bulk: a per-token setSafe (capacity check, validity bit, bounds-checked
        // store) made Arrow writing 14x slower than a file copy (docs/benchmarks.md, "Preprocessing").
        ListVector ids = (ListVector) root.getVector(ShardSchema.INPUT_IDS);
        int at = ids.startNewValue(i);
        IntVector idData = (IntVector) ids.getDataVector();
        reserve(idData, at + len);
        idData.getDataBuffer().nioBuffer((long) at * Integer.BYTES, len * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .asIntBuffer().put(e.inputIds());
        setValid(idData.getValidityBuffer(), at, len);
        ids.endValue(i, len);
        ListVector mask = (ListVector) root.getVector(ShardSchema.LOSS_MASK);
        at = mask.startNewValue(i);
        TinyIntVector maskData = (TinyIntVector) mask.getDataVector();
        reserve(maskData, at + len);
        int prompt = e.promptLength();
        maskData.getDataBuffer().setZero(at, prompt);
        if (ones.length < len - prompt) {
            ones = new byte[Math.max(len - prompt, 2 * ones.length)];
            java.util.Arrays.fill(ones, (byte) 1);
        }
        maskData.getDataBuffer().setBytes(at + prompt, ones, 0, len - prompt);
        setValid(maskData.getValidityBuffer(), at, len);
        mask.endValue(i, len);
        ((IntVector) root.getVector(ShardSchema.PROMPT_LENGTH)).setSafe(i, e.promptLength());
        ListVector refs = (ListVector) root.getVector(ShardSchema.REFERENCES);
        at = refs.startNewValue(i);
        VarCharVector refData = (VarCharVector) refs.getDataVector();
        for (int j = 0; j < e.references().size(); j++) {
            refData.setSafe(at + j, utf8(e.references().get(j)));
        }
        refs.endValue(i, e.references().size());
        ((VarCharVector) root.getVector(ShardSchema.SOURCE)).setSafe(i, utf8(e.source()));
        ((IntVector) root.getVector(ShardSchema.TRUNCATED_TOKENS)).setSafe(i, e.truncatedTokens());
        ((VarCharVector) root.getVector(ShardSchema.QUESTION)).setSafe(i, utf8(e.question()));
        ((BitVector) root.getVector(ShardSchema.NO_ANSWER)).setSafe(i, e.noAnswer() ? 1 : 0);
        ListVector cands = (ListVector) root.getVector(ShardSchema.CANDIDATES);
        at = cands.startNewValue(i);
        VarCharVector candData = (VarCharVector) cands.getDataVector();
        for (int j = 0; j < e.candidates().size(); j++) {
            candData.setSafe(at + j, utf8(e.candidates().get(j)));
        }
        cands.endValue(i, e.candidates().size());
        batchRows++;
        batchTokens += len;
        rows++;
        stats.add(len);
        rowsBySplit.merge(e.split(), 1L, Long::sum);
    }

    /** Grows {@code v} until it holds {@code values} values (what setSafe checks on every call). */
    private static void reserve(BaseFixedWidthVector v, int values) {
        while (v.getValueCapacity() < values) {
            v.reAlloc();
        }
    }

    /** Sets validity bits [from, from + count): the partial bytes bit by bit, the whole bytes at once. */
    static void setValid(ArrowBuf validity, int from, int count) {
        int i = from;
        int end = from + count;
        for (; i < end && (i & 7) != 0; i++) {
            BitVectorHelper.setBit(validity, i);
        }
        int bytes = (end - i) >>> 3;
        if (bytes > 0) {
            validity.setOne((long) (i >>> 3), (long) bytes);
            i += bytes << 3;
        }
        for (; i < end; i++) {
            BitVectorHelper.setBit(validity, i);
        }
    }

    private void flush() throws IOException {
        for (var v : root.getFieldVectors()) {
            v.setValueCount(batchRows);
        }
        root.setRowCount(batchRows);
        writer.writeBatch();
        root.clear();
        root.allocateNew();
        batchRows = 0;
        batchTokens = 0;
    }

    /** Writes the last batch and the file footer, closes the channel and returns the manifest entry. */
    public ShardSummary finish() throws IOException {
        if (batchRows > 0) {
            flush();
        }
        writer.end();
        writer.close();
        finished = true;
        close();
        return new ShardSummary(new Manifest.Shard(name, rows, channel.bytes(), channel.sha256(), rowsBySplit), stats);
    }

    /** What a finished shard contributes to the manifest: its entry and its length histogram. */
    public record ShardSummary(Manifest.Shard shard, TokenStats stats) implements java.io.Serializable {
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Releases Arrow memory; an unfinished shard is left incomplete (its PendingFile must not be committed). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            writer.close();
        }
        root.close();
        allocator.close();
    }
}
