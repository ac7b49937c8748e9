package org.meftspark.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;

/**
 * Writes tensors as one safetensors file, atomically: the bytes go to a temporary file in the
 * same folder, which is then renamed over the target, so a crash never leaves a half-written
 * file that looks whole (DEVELOPERS.md, "outputs are written atomically").
 *
 * <p>Tensors are laid out in the given order, back to back; the JSON header is padded with
 * spaces to a multiple of 8 bytes as the reference writer does, so that data stays aligned.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    public static void write(Path file, Map<String, Tensor> tensors) {
        write(file, tensors, Map.of());
    }

    /**
     * @param file     target path
     * @param tensors  name to tensor, in the order to store them (any device; copied to the CPU)
     * @param metadata free-form string pairs stored under {@code __metadata__}
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> cpu = new LinkedHashMap<>();
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        Device cpuDevice = new Device(DeviceType.CPU);
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            }
            Tensor t = e.getValue().detach().to(cpuDevice, e.getValue().scalar_type()).contiguous();
            DType dtype = DType.of(t.scalar_type());
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            long[] sizes = t.sizes().vec().get();
            for (long s : sizes) {
                shape.add(s);
            }
            long n = t.nbytes();
            entry.putArray("data_offsets").add(offset).add(offset + n);
            offset += n;
            cpu.put(e.getKey(), t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                for (Tensor t : cpu.values()) {
                    writeTensor(ch, t);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // Best effort: a leftover hidden .tmp file is harmless and never mistaken for output.
                }
            }
        }
    }

    private static void writeTensor(FileChannel ch, Tensor t) throws IOException {
        long n = t.nbytes();
        if (n == 0) {
            return;
        }
        BytePointer p = new BytePointer(t.data_ptr()).capacity(n);
        for (long off = 0; off < n; off += SafetensorsFile.MAP_CHUNK_BYTES) {
            long len = Math.min(SafetensorsFile.MAP_CHUNK_BYTES, n - off);
            writeFully(ch, org.meftspark.device.NativeBuffers.view(p, off, len));
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
