package org.meftspark.shard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.meftspark.hash.Sha256;

/** Channels that hash (sha256) and count every byte passing through, so checksums cost no second pass. */
final class DigestChannels {
    private DigestChannels() {
    }

    /** Wraps a writable channel. */
    static final class Writing implements WritableByteChannel {
        private final WritableByteChannel out;
        private final MessageDigest digest = Sha256.newDigest();
        private long bytes;
        private boolean open = true;

        Writing(WritableByteChannel out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            ByteBuffer view = src.duplicate();
            int n = out.write(src);
            view.limit(view.position() + n);
            digest.update(view);
            bytes += n;
            return n;
        }

        long bytes() {
            return bytes;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public boolean isOpen() {
            return open && out.isOpen();
        }

        /**
         * Does not close the wrapped channel: Arrow's writer closes its channel at the end, but
         * the file still has to be forced and committed by its owner ({@link ShardStore.PendingFile}).
         */
        @Override
        public void close() {
            open = false;
        }
    }

    /** Wraps a readable channel. */
    static final class Reading implements ReadableByteChannel {
        private final ReadableByteChannel in;
        private final MessageDigest digest = Sha256.newDigest();
        private long bytes;

        Reading(ReadableByteChannel in) {
            this.in = in;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int start = dst.position();
            int n = in.read(dst);
            if (n > 0) {
                ByteBuffer view = dst.duplicate();
                view.position(start).limit(start + n);
                digest.update(view);
                bytes += n;
            }
            return n;
        }

        /** Reads and hashes whatever is left (the file footer after the last batch). */
        void drain() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (read(buf) >= 0) {
                buf.clear();
            }
        }

        long bytes() {
            return bytes;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
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
}
