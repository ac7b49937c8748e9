package org.meftspark.shard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.meftspark.tokenize.TokenizedExample;

/**
 * Reads a shard set back, verified: the manifest's format version and tokenizer fingerprint
 * are checked before any row is read, and every shard's sha256, size and row count are checked
 * as its bytes stream past (one sequential pass, no seeking, so a Hadoop input stream works).
 * A shard's last batch is handed out only after its checksum has matched, so no consumer
 * finishes a shard that turns out to be corrupt. Memory is bounded by one record batch.
 */
public final class ShardReader {
    /** An IPC file starts with "ARROW1" and two bytes of padding before the stream format. */
    private static final byte[] MAGIC = "ARROW1\0\0".getBytes(StandardCharsets.US_ASCII);

    private final ShardStore store;
    private final Manifest manifest;

    private ShardReader(ShardStore store, Manifest manifest) {
        this.store = store;
        this.manifest = manifest;
    }

    /**
     * Opens a shard set and checks its manifest.
     *
     * @param expectedFingerprint the fingerprint of the tokenizer the consumer will use, or null to accept any
     * @throws ShardVerificationException when the manifest is missing, invalid, of another format version or tokenizer
     */
    public static ShardReader open(ShardStore store, String expectedFingerprint) {
        Manifest m;
        try {
            if (!store.exists(Manifest.FILE_NAME)) {
                throw new ShardVerificationException("no " + Manifest.FILE_NAME + " in the shard store: the output is incomplete "
                        + "(a failed or running job) or not a shard set; rerun preprocessing");
            }
            m = Manifest.readFrom(store); // checked against manifest.sha256 before it is parsed
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + Manifest.FILE_NAME + ": " + e.getMessage(), e);
        }
        if (m.formatVersion() != ShardSchema.FORMAT_VERSION) {
            throw new ShardVerificationException("shards have format version " + m.formatVersion() + ", this reader reads "
                    + ShardSchema.FORMAT_VERSION + "; rerun preprocessing with this version");
        }
        for (Manifest.Shard s : m.shards()) {
            // The stores refuse such names too; checking here names the manifest before any file is opened.
            String f = s.file();
            if (f == null || f.isEmpty() || f.contains("/") || f.contains("\\") || f.startsWith(".") || f.indexOf('\0') >= 0) {
                throw new ShardVerificationException(Manifest.FILE_NAME + " lists shard file '" + f + "', which is not a plain "
                        + "file name in the shard directory (paths cannot leave it); the manifest is damaged or was not written "
                        + "by meft-spark, rerun preprocessing");
            }
        }
        if (expectedFingerprint != null && !expectedFingerprint.equals(m.tokenizerFingerprint())) {
            throw new ShardVerificationException("shards were tokenized with " + m.tokenizerFingerprint()
                    + " but the consumer's tokenizer is " + expectedFingerprint + "; rerun preprocessing with the model's tokenizer");
        }
        return new ShardReader(store, m);
    }

    /** The verified manifest. */
    public Manifest manifest() {
        return manifest;
    }

    /** Every record batch of every shard in manifest order, as rows; each list is one Arrow record batch. */
    public Iterator<List<TokenizedExample>> batches() {
        return new Iterator<>() {
            private int shard;
            private ShardIterator current;

            @Override
            public boolean hasNext() {
                while ((current == null || !current.hasNext()) && shard < manifest.shards().size()) {
                    current = new ShardIterator(manifest.shards().get(shard++));
                }
                return current != null && current.hasNext();
            }

            @Override
            public List<TokenizedExample> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /**
     * The record batches of one shard of the manifest, verified as in {@link #batches()}: lets a
     * distributed reader give each task one shard.
     *
     * @throws IllegalArgumentException when the manifest lists no such file
     */
    public Iterator<List<TokenizedExample>> batches(String shardFile) {
        Manifest.Shard entry = manifest.shards().stream().filter(s -> s.file().equals(shardFile)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the manifest lists no shard " + shardFile));
        return new ShardIterator(entry);
    }

    /** All rows, streamed batch by batch. */
    public Stream<TokenizedExample> rows() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(batches(), Spliterator.ORDERED), false)
                .flatMap(List::stream);
    }

    /** Reads one shard; verification happens when its stream ends, before its last batch is returned. */
    private final class ShardIterator implements Iterator<List<TokenizedExample>> {
        private final Manifest.Shard entry;
        /**
         * Bounded by the shard's size (a batch's buffers are bytes of the file; 4x covers the
         * allocator's rounding): a corrupted length in a message header is refused by the
         * allocator instead of reserving terabytes and killing the JVM. The size is the file's
         * own, checked against the manifest first, so a hostile manifest cannot raise the bound.
         */
        private final BufferAllocator allocator;
        private final DigestChannels.Reading channel;
        private final ArrowStreamReader reader;
        private List<TokenizedExample> next;
        private long rows;
        private boolean done;

        ShardIterator(Manifest.Shard entry) {
            this.entry = entry;
            long size;
            try {
                size = store.size(entry.file());
            } catch (IOException e) {
                throw new ShardVerificationException("cannot read shard " + entry.file() + ": " + e.getMessage()
                        + "; the shard set is damaged, rerun preprocessing", e);
            }
            if (size != entry.bytes()) {
                fail("is " + size + " bytes, the manifest says " + entry.bytes() + " (truncated, extended or replaced)");
            }
            this.allocator = new RootAllocator(Math.max(1L << 20, 4 * size));
            try {
                ReadableByteChannel raw = store.open(entry.file());
                channel = new DigestChannels.Reading(raw);
                ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
                while (magic.hasRemaining() && channel.read(magic) >= 0) {
                    // fill
                }
                if (!java.util.Arrays.equals(magic.array(), MAGIC)) {
                    channel.close();
                    allocator.close();
                    throw new ShardVerificationException(entry.file() + " is not an Arrow IPC file; the shard set is damaged, rerun preprocessing");
                }
                reader = new ArrowStreamReader(new BoundedMessageReader(new PeekableChannel(channel), allocator, entry.file(),
                        MAGIC.length, size), allocator);
                if (!reader.getVectorSchemaRoot().getSchema().equals(ShardSchema.SCHEMA)) {
                    throw new ShardVerificationException(entry.file() + " has schema " + reader.getVectorSchemaRoot().getSchema()
                            + ", expected format version " + ShardSchema.FORMAT_VERSION);
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof ShardVerificationException v) {
                    throw v;
                }
                throw new ShardVerificationException("cannot read shard " + entry.file() + " (corrupt or truncated): "
                        + e + "; the shard set is damaged, rerun preprocessing", e);
            }
            advance();
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public List<TokenizedExample> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            List<TokenizedExample> out = next;
            advance();
            return out;
        }

        /** Loads the following batch; at the end of the stream, verifies before letting the last batch go. */
        private void advance() {
            if (done) {
                next = null;
                return;
            }
            try {
                if (loadNextBatch()) {
                    // Row counts and offsets come from the batch header and buffers: they must agree with the
                    // buffers' real sizes before convert() sizes anything by them.
                    BatchBounds.check(reader.getVectorSchemaRoot(), entry.file());
                    next = convert(reader.getVectorSchemaRoot());
                    rows += next.size();
                    if (rows > entry.rows()) {
                        fail("holds more rows than the manifest's " + entry.rows());
                    }
                    return;
                }
                done = true;
                channel.drain();
                reader.close();
                allocator.close();
                String sha = channel.sha256();
                if (rows != entry.rows()) {
                    fail("holds " + rows + " rows, the manifest says " + entry.rows());
                }
                if (channel.bytes() != entry.bytes() || !sha.equals(entry.sha256())) {
                    fail("checksum mismatch: " + channel.bytes() + " bytes with sha256 " + sha + ", the manifest says "
                            + entry.bytes() + " bytes with " + entry.sha256());
                }
                next = null;
            } catch (IOException | RuntimeException e) {
                // A damaged file makes Arrow fail in many ways (bad lengths, offsets, flatbuffers):
                // each one means the same thing to the consumer.
                if (e instanceof ShardVerificationException v && v.getMessage().contains(entry.file())) {
                    throw v;
                }
                throw new ShardVerificationException("cannot read shard " + entry.file() + " (corrupt or truncated): "
                        + e.getMessage() + "; the shard set is damaged, rerun preprocessing", e);
            }
        }

        /**
         * Arrow checks some values inside a batch's buffers (a list's last offset, used as its child's length) only
         * with Java {@code assert}; where assertions are on (tests, a JVM run with -ea) a damaged shard trips one.
         * Without them the same value reaches {@link BatchBounds}, which refuses it.
         */
        private boolean loadNextBatch() throws IOException {
            try {
                return reader.loadNextBatch();
            } catch (AssertionError e) {
                throw new ShardVerificationException("cannot read shard " + entry.file() + " (corrupt): Arrow's check "
                        + e.getStackTrace()[0] + " failed; the shard set is damaged, rerun preprocessing", e);
            }
        }

        private void fail(String what) {
            throw new ShardVerificationException("shard " + entry.file() + " " + what + "; the shard set is damaged, rerun preprocessing");
        }
    }

    /** One Arrow batch to rows. */
    static List<TokenizedExample> convert(VectorSchemaRoot root) {
        int n = root.getRowCount();
        VarCharVector id = (VarCharVector) root.getVector(ShardSchema.ID);
        VarCharVector dataset = (VarCharVector) root.getVector(ShardSchema.DATASET);
        VarCharVector split = (VarCharVector) root.getVector(ShardSchema.SPLIT);
        ListVector ids = (ListVector) root.getVector(ShardSchema.INPUT_IDS);
        IntVector idData = (IntVector) ids.getDataVector();
        ListVector mask = (ListVector) root.getVector(ShardSchema.LOSS_MASK);
        TinyIntVector maskData = (TinyIntVector) mask.getDataVector();
        IntVector promptLength = (IntVector) root.getVector(ShardSchema.PROMPT_LENGTH);
        ListVector refs = (ListVector) root.getVector(ShardSchema.REFERENCES);
        VarCharVector refData = (VarCharVector) refs.getDataVector();
        VarCharVector source = (VarCharVector) root.getVector(ShardSchema.SOURCE);
        IntVector truncated = (IntVector) root.getVector(ShardSchema.TRUNCATED_TOKENS);
        VarCharVector question = (VarCharVector) root.getVector(ShardSchema.QUESTION);
        BitVector noAnswer = (BitVector) root.getVector(ShardSchema.NO_ANSWER);
        ListVector cands = (ListVector) root.getVector(ShardSchema.CANDIDATES);
        VarCharVector candData = (VarCharVector) cands.getDataVector();
        List<TokenizedExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int from = ids.getElementStartIndex(i);
            int to = ids.getElementEndIndex(i);
            int[] tokens = new int[to - from];
            for (int j = from; j < to; j++) {
                tokens[j - from] = idData.get(j);
            }
            int p = promptLength.get(i);
            // The mask is redundant with prompt_length by design (consumers may use either); a
            // disagreement means a damaged or foreign file.
            int mFrom = mask.getElementStartIndex(i);
            for (int j = 0; j < tokens.length; j++) {
                if (maskData.get(mFrom + j) != (j >= p ? 1 : 0)) {
                    throw new ShardVerificationException("row " + str(id, i) + ": loss_mask disagrees with prompt_length " + p);
                }
            }
            List<String> references = new ArrayList<>();
            for (int j = refs.getElementStartIndex(i); j < refs.getElementEndIndex(i); j++) {
                references.add(str(refData, j));
            }
            List<String> candidates = new ArrayList<>();
            for (int j = cands.getElementStartIndex(i); j < cands.getElementEndIndex(i); j++) {
                candidates.add(str(candData, j));
            }
            out.add(new TokenizedExample(str(id, i), str(dataset, i), str(split, i), tokens, p, references,
                    str(source, i), truncated.get(i), str(question, i), noAnswer.get(i) == 1, candidates));
        }
        return out;
    }

    private static String str(VarCharVector v, int i) {
        return new String(v.get(i), StandardCharsets.UTF_8);
    }
}
