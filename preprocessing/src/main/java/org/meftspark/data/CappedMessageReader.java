package org.meftspark.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * Arrow's stream reader for a Hugging Face {@code save_to_disk} file, with one guard: Arrow
 * allocates a heap buffer of whatever a message's 4-byte metadata length says before reading it,
 * so a file that is not Arrow at all ("this" read as a length is 1.9 GB) could take the heap of a
 * Spark task (issue 9 item 4: no allocation driven by a length an input chooses). Message bodies
 * come from the reader's bounded off-heap allocator and need no guard here.
 */
final class CappedMessageReader extends MessageChannelReader {
    /** Far above any schema (Hugging Face's features JSON included) or batch header, far below a task's heap. */
    static final int MAX_METADATA_BYTES = 16 << 20;

    private final BufferedInputStream peek;
    private final String name;

    private CappedMessageReader(BufferedInputStream in, BufferAllocator allocator, String name) {
        super(new ReadChannel(Channels.newChannel(in)), allocator);
        this.peek = in;
        this.name = name;
    }

    static CappedMessageReader of(InputStream in, BufferAllocator allocator, String name) {
        return new CappedMessageReader(new BufferedInputStream(in, 1 << 16), allocator, name);
    }

    @Override
    public MessageResult readNext() throws IOException {
        peek.mark(8);
        byte[] prefix = peek.readNBytes(8);
        peek.reset();
        if (prefix.length >= 4) {
            int length = littleEndian(prefix, 0);
            if (length == MessageSerializer.IPC_CONTINUATION_TOKEN && prefix.length == 8) {
                length = littleEndian(prefix, 4);
            }
            if (length < 0 || length > MAX_METADATA_BYTES) {
                throw new IOException(name + ": an Arrow message declares " + Integer.toUnsignedString(length)
                        + " bytes of metadata (at most " + MAX_METADATA_BYTES + " are plausible); the file is not an "
                        + "Arrow IPC stream or is damaged");
            }
        }
        return super.readNext();
    }

    private static int littleEndian(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }
}
