package org.meftspark.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Fuzzing of the safetensors reader (issue 9): whatever the bytes, opening and loading
 * a file either works or fails with a {@link SafetensorsException} naming the file; no
 * other exception, no hang, no allocation sized by an attacker's number.
 */
class SafetensorsFuzzTest {

    private static Path dir;
    private static byte[] valid;

    @BeforeContainer
    static void writeValidFile() throws Exception {
        dir = Files.createTempDirectory("safetensors-fuzz");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", torch.arange(new org.bytedeco.pytorch.Scalar(12)).to(torch.ScalarType.Float).reshape(3, 4));
        tensors.put("b", torch.ones(2).to(torch.ScalarType.Half));
        Path p = dir.resolve("valid.safetensors");
        SafetensorsWriter.write(p, tensors);
        valid = Files.readAllBytes(p);
    }

    @AfterContainer
    static void cleanUp() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** Opens and loads every tensor; returns normally or throws only SafetensorsException. */
    private static void openAndLoad(byte[] bytes) throws Exception {
        Path p = Files.createTempFile(dir, "fuzz", ".safetensors");
        try {
            Files.write(p, bytes);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                for (String name : f.header().tensors().keySet()) {
                    f.load(name);
                }
            } catch (SafetensorsException expected) {
                assertThat(expected.getMessage()).contains(p.getFileName().toString());
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Property(tries = 300)
    void randomBytesNeverEscapeAsAnotherException(@ForAll @Size(max = 200) byte[] bytes) throws Exception {
        openAndLoad(bytes);
    }

    @Property(tries = 500)
    void flippedBytesOfAValidFileAreHandled(@ForAll @IntRange(min = 0, max = 10_000) int position,
                                            @ForAll byte value) throws Exception {
        byte[] b = valid.clone();
        b[position % b.length] = value;
        openAndLoad(b);
    }

    @Property(tries = 300)
    void truncatedFilesAreRefused(@ForAll @IntRange(min = 0, max = 10_000) int cut) throws Exception {
        int length = cut % valid.length;
        byte[] b = java.util.Arrays.copyOf(valid, length);
        Path p = Files.createTempFile(dir, "cut", ".safetensors");
        try {
            Files.write(p, b);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                throw new AssertionError("a file cut to " + length + " of " + valid.length + " bytes was accepted");
            } catch (SafetensorsException expected) {
                assertThat(expected.getMessage()).contains(p.getFileName().toString());
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    /** Headers with hostile numbers: offsets, shapes and lengths from the whole long range. */
    @Property(tries = 1000)
    void hostileHeaderNumbersAreRefusedBeforeAllocation(@ForAll("hostileHeaders") String json) throws Exception {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        openAndLoad(b.array());
    }

    @Provide
    Arbitrary<String> hostileHeaders() {
        Arbitrary<Long> numbers = Arbitraries.oneOf(Arbitraries.longs(),
                Arbitraries.longs().between(-4, 80), Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE,
                        (long) Integer.MAX_VALUE, 1L << 40, 4_294_967_296L));
        Arbitrary<String> dtype = Arbitraries.of("F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "X9", "");
        return Combinators.combine(dtype, numbers.list().ofMaxSize(4), numbers, numbers)
                .as((d, shape, begin, end) -> "{\"t\":{\"dtype\":\"" + d + "\",\"shape\":" + shape
                        + ",\"data_offsets\":[" + begin + "," + end + "]}}");
    }
}
