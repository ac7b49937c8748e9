package org.meftspark.device;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Java views of native memory (a tensor's storage) at any offset.
 *
 * <p>Why not JavaCPP's {@code position(off).limit(off + n).asBuffer()}: its buffer starts at the pointer's base
 * address and spans at most 2^31 - 1 bytes, with position and limit clamped to that, so a view past the first 2 GiB
 * silently started in the wrong place or came out empty (measured: position 3,000,000,000 gave position and limit
 * 2,147,483,647). The checkpoint writer then wrote nothing for the part of a tensor past 2 GiB, and the host
 * store's row views failed at N = 1M, d = 1,024 (4 GiB a matrix). Here the address moves first, so each view's own
 * offsets start at zero.
 */
public final class NativeBuffers {
    private NativeBuffers() {
    }

    /**
     * A native-order view of {@code bytes} bytes (at most 2^31 - 1) starting {@code offset} bytes past {@code base}'s
     * address; valid while that memory is.
     */
    public static ByteBuffer view(Pointer base, long offset, long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE || offset < 0) {
            throw new IllegalArgumentException("a view spans 0 to 2^31 - 1 bytes at a non-negative offset, not "
                    + bytes + " at " + offset);
        }
        return new BytePointer(base).getPointer(offset).capacity(bytes).asBuffer().order(ByteOrder.nativeOrder());
    }
}
