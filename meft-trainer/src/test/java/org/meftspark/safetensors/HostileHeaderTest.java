package org.meftspark.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header is untrusted input: each malformed file must fail on open with a message naming
 * the file and the tensor, and without allocating what the header claims (a claimed terabyte
 * would throw OutOfMemoryError, not SafetensorsException).
 */
class HostileHeaderTest {
    @TempDir
    Path dir;

    private Path file(String json, int dataBytes) throws Exception {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + j.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(j.length).put(j);
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static void refused(Path p, String... fragments) {
        var a = assertThatThrownBy(() -> SafetensorsFile.open(p).close())
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(p.toString());
        for (String f : fragments) {
            a.hasMessageContaining(f);
        }
    }

    @Test
    void wellFormedControlFileOpens() throws Exception {
        Path p = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.entry("w").numel()).isEqualTo(2);
        }
    }

    @Test
    void negativeOffset() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8), "'w'", "data_offsets[0]");
    }

    @Test
    void hugeOffsetsBeyondTheFile() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[9223372036854775800,9223372036854775808]}}", 8),
                "'w'", "data_offsets[1]");
        refused(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},"
                + "\"v\":{\"dtype\":\"U8\",\"shape\":[1099511627776],\"data_offsets\":[8,1099511627784]}}", 8),
                "'v'", "truncated");
    }

    @Test
    void overlappingTensors() throws Exception {
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap", "'a'", "'b'");
    }

    @Test
    void shapeProductOverflow() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8),
                "'w'", "overflows");
        // numel fits, bytes do not.
        refused(file("{\"w\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}}", 8),
                "'w'", "overflows");
    }

    @Test
    void sizeDisagreesWithShapeAndDtype() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "'w'", "needs 6");
    }

    @Test
    void negativeDimensionAndUnknownDtype() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0), "'w'", "shape[0]");
        refused(file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "'w'", "unsupported dtype F8_E4M3");
    }

    @Test
    void truncatedData() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 10), "'w'", "truncated");
    }

    @Test
    void truncatedOrHugeHeaderLength() throws Exception {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        refused(p, "shorter than the 8-byte header length");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60);
        Files.write(p, b.array());
        refused(p, "exceeds the limit");
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Files.write(p, b.array());
        refused(p, "runs past the end");
    }

    @Test
    void malformedJsonDuplicateKeysAndGaps() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\"", 0), "not well-formed JSON");
        refused(file("[1,2]", 0), "must be a JSON object");
        refused(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), "Duplicate field 'w'");
        refused(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), "gap", "'w'");
        refused(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 5), "trailing bytes");
        refused(file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__");
    }
}
