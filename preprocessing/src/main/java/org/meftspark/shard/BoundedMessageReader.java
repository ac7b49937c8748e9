package org.meftspark.shard;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * Arrow's IPC message reader, with the lengths and counts each message declares checked before Arrow acts on
 * them (issue 9, item 4). Arrow allocates a heap buffer of whatever the metadata length prefix says (one corrupt or
 * hostile int asks for up to 2 GiB, before a single byte of it is read), then an off-heap buffer of the
 * body length in the metadata. Here both must fit in the bytes the shard still holds (its size, checked
 * against the manifest before reading starts) and the metadata must be at most {@link #MAX_METADATA_BYTES}.
 * A record batch's row count, column lengths, null counts and buffer ranges must fit in its body too.
 */
final class BoundedMessageReader extends MessageChannelReader {
    /**
     * Far above the metadata of any message a shard holds (the schema message is under 2 KiB, a record
     * batch's a few hundred bytes: 8 columns) and far below what hurts a task's heap.
     */
    static final int MAX_METADATA_BYTES = 1 << 20;

    private final PeekableChannel source;
    private final String shard;
    /** Where in the file the stream starts (after the IPC file magic). */
    private final long start;
    private final long fileBytes;

    /**
     * @param source    the shard's bytes after the magic
     * @param allocator where record batch bodies go (bounded by the caller too)
     * @param shard     the shard's file name, for messages
     * @param start     the file offset of {@code source}'s first byte
     * @param fileBytes the file's size
     */
    BoundedMessageReader(PeekableChannel source, BufferAllocator allocator, String shard, long start, long fileBytes) {
        super(new ReadChannel(source), allocator);
        this.source = source;
        this.shard = shard;
        this.start = start;
        this.fileBytes = fileBytes;
    }

    @Override
    public MessageResult readNext() throws IOException {
        long at = start + in.bytesRead();
        long left = fileBytes - at;
        byte[] prefix = source.peek(8);
        if (prefix.length < 4) {
            return super.readNext(); // Arrow's own end-of-stream handling
        }
        int framing = 4;
        int length = intAt(prefix, 0);
        if (length == MessageSerializer.IPC_CONTINUATION_TOKEN) {
            if (prefix.length < 8) {
                return super.readNext();
            }
            framing = 8;
            length = intAt(prefix, 4);
        }
        if (length == 0) {
            return super.readNext(); // the end-of-stream marker
        }
        if (length < 0 || length > MAX_METADATA_BYTES || length > left - framing) {
            throw refuse(at, "declares " + length + " bytes of message metadata; at most "
                    + Math.min(MAX_METADATA_BYTES, Math.max(0, left - framing)) + " are possible there");
        }
        byte[] head = source.peek(framing + length);
        if (head.length < framing + length) {
            return super.readNext(); // Arrow reports the early end of the stream
        }
        Message message = Message.getRootAsMessage(ByteBuffer.wrap(head, framing, length).slice());
        long body = message.bodyLength();
        long after = left - framing - length;
        if (body < 0 || body > after) {
            throw refuse(at, "declares a body of " + body + " bytes, but only " + after + " bytes of the file follow");
        }
        if (message.headerType() == MessageHeader.RecordBatch) {
            checkRecordBatch(at, (RecordBatch) message.header(new RecordBatch()), body, length);
        } else if (message.headerType() != MessageHeader.Schema) {
            throw refuse(at, "is of type " + message.headerType() + "; a shard holds a schema and record batches only");
        }
        return super.readNext();
    }

    /**
     * The counts of a record batch header, before Arrow sizes vectors by them (it allocates a validity
     * buffer of a node's length and grows buffers to the row count). Every value of every shard column
     * takes at least one byte of the body (an offset, a token, a mask byte), so no count exceeds the body.
     */
    private void checkRecordBatch(long at, RecordBatch batch, long body, int metadataBytes) {
        if (batch.compression() != null) {
            throw refuse(at, "is compressed; shards are written uncompressed");
        }
        if (batch.length() < 0 || batch.length() > body) {
            throw refuse(at, "declares " + batch.length() + " rows in a body of " + body + " bytes");
        }
        if ((long) batch.nodesLength() * 16 > metadataBytes || (long) batch.buffersLength() * 16 > metadataBytes) {
            throw refuse(at, "declares " + batch.nodesLength() + " columns and " + batch.buffersLength() + " buffers in "
                    + metadataBytes + " bytes of metadata");
        }
        for (int i = 0; i < batch.nodesLength(); i++) {
            FieldNode node = batch.nodes(i);
            if (node.length() < 0 || node.length() > body || node.nullCount() < 0 || node.nullCount() > node.length()) {
                throw refuse(at, "declares column " + i + " with " + node.length() + " values and " + node.nullCount()
                        + " nulls in a body of " + body + " bytes");
            }
        }
        for (int i = 0; i < batch.buffersLength(); i++) {
            Buffer b = batch.buffers(i);
            if (b.offset() < 0 || b.length() < 0 || b.offset() > body - b.length()) {
                throw refuse(at, "declares buffer " + i + " at " + b.offset() + " of " + b.length() + " bytes in a body of "
                        + body + " bytes");
            }
        }
    }

    private ShardVerificationException refuse(long at, String what) {
        return new ShardVerificationException("shard " + shard + ": the Arrow message at byte " + at + " " + what
                + "; the shard is damaged or was not written by meft-spark, rerun preprocessing");
    }

    private static int intAt(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }
}
