package org.meftspark.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

import static org.bytedeco.pytorch.global.torch.empty;

/**
 * One safetensors file opened for reading. The header is validated in full on open
 * ({@link SafetensorsHeader}); tensor bytes are then copied straight from a read-only memory
 * mapping of the file into libtorch-owned CPU tensors, without passing through the Java heap.
 *
 * <p>Tensors are copied out rather than wrapped in place because a mapping is released when
 * its buffer is garbage collected, which libtorch cannot see; a copy has a clear owner.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest region mapped at once: a MappedByteBuffer is int-indexed, and smaller maps keep address space modest. */
    static final long MAP_CHUNK_BYTES = 1L << 30;

    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.header = header;
    }

    /** Opens and validates a file; throws {@link SafetensorsException} naming the file on any problem. */
    public static SafetensorsFile open(Path path) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // The format is little-endian and tensors are copied byte for byte.
            throw new SafetensorsException(path + ": big-endian hosts are not supported");
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            long size = ch.size();
            ByteBuffer prefix = ByteBuffer.allocate(8);
            if (size >= 8) {
                readFully(ch, prefix, 0);
            }
            // Bounds are checked before the header buffer is allocated.
            int n = SafetensorsHeader.headerLength(path.toString(), prefix.flip(), size);
            ByteBuffer json = ByteBuffer.allocate(n);
            readFully(ch, json, 8);
            SafetensorsHeader header = SafetensorsHeader.parse(path.toString(), json.array(), size);
            return new SafetensorsFile(path, ch, header);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new SafetensorsException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    public Path path() {
        return path;
    }

    public SafetensorsHeader header() {
        return header;
    }

    /** The validated entry of a tensor, or an error naming file and tensor. */
    public TensorEntry entry(String name) {
        TensorEntry e = header.tensors().get(name);
        if (e == null) {
            throw new SafetensorsException(path + ": no tensor named '" + name + "'");
        }
        return e;
    }

    /** Loads one tensor as a contiguous CPU tensor in the file's dtype, bit-exact. */
    public Tensor load(String name) {
        TensorEntry e = entry(name);
        Tensor dst = empty(e.shape(), new TensorOptions(e.dtype().scalarType()), new MemoryFormatOptional());
        long length = e.byteLength();
        if (length == 0) {
            return dst;
        }
        BytePointer dstBytes = new BytePointer(dst.data_ptr()).capacity(length);
        try {
            for (long off = 0; off < length; off += MAP_CHUNK_BYTES) {
                long len = Math.min(MAP_CHUNK_BYTES, length - off);
                MappedByteBuffer src = channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart() + e.begin() + off, len);
                BytePointer srcBytes = new BytePointer(src);
                Pointer.memcpy(dstBytes.position(off), srcBytes, len);
                srcBytes.close();
            }
        } catch (IOException ex) {
            throw new SafetensorsException(path + ": tensor '" + name + "': cannot map bytes: " + ex.getMessage(), ex);
        } finally {
            dstBytes.position(0);
        }
        return dst;
    }

    /** Loads every tensor, in header order. */
    public Map<String, Tensor> loadAll() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : header.tensors().keySet()) {
            out.put(name, load(name));
        }
        return out;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Read-only channel: nothing to flush, nothing lost.
            }
        }
    }
}
