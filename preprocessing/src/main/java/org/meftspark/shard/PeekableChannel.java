package org.meftspark.shard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * A readable channel that can look ahead: {@link #peek} reads bytes and keeps them for the next
 * {@link #read}. {@link BoundedMessageReader} uses it to check an Arrow message's lengths before Arrow
 * reads (and allocates for) them, on a stream that cannot seek (Hadoop, object stores).
 */
final class PeekableChannel implements ReadableByteChannel {
    private final ReadableByteChannel in;
    /** Bytes read ahead and not yet handed out: {@code ahead[0, aheadLength)}. */
    private byte[] ahead = new byte[0];
    private int aheadLength;

    PeekableChannel(ReadableByteChannel in) {
        this.in = in;
    }

    /** Up to {@code n} next bytes, without consuming them; fewer only at the end of the stream. */
    byte[] peek(int n) throws IOException {
        if (ahead.length < n) {
            ahead = Arrays.copyOf(ahead, n);
        }
        while (aheadLength < n) {
            int got = in.read(ByteBuffer.wrap(ahead, aheadLength, n - aheadLength));
            if (got < 0) {
                break;
            }
            aheadLength += got;
        }
        return Arrays.copyOf(ahead, Math.min(n, aheadLength));
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (aheadLength == 0) {
            return in.read(dst);
        }
        int n = Math.min(aheadLength, dst.remaining());
        dst.put(ahead, 0, n);
        System.arraycopy(ahead, n, ahead, 0, aheadLength - n);
        aheadLength -= n;
        return n;
    }

    @Override
    public boolean isOpen() {
        return in.isOpen();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
