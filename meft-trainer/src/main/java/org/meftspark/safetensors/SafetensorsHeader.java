package org.meftspark.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file.
 *
 * <p>Layout (safetensors "Format"): 8 bytes little-endian unsigned header length N, N bytes of
 * UTF-8 JSON, then the data section. The JSON maps tensor names to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} with offsets relative to the data
 * section, plus an optional {@code "__metadata__"} string map.
 *
 * <p>The header is untrusted input: everything is checked here, in pure Java and before any
 * tensor memory is allocated or mapped. The checks follow the reference implementation: header
 * length bounded and inside the file, well-formed JSON without duplicate keys, known dtypes,
 * non-negative shapes whose element count does not overflow, {@code end - begin ==
 * numel * dtype size}, and offsets that tile the data section exactly (start at 0, no overlap,
 * no gap, end at the data section's end, so a truncated file is detected).
 */
public final class SafetensorsHeader {
    /** Largest header accepted: the reference implementation's limit (100 MB), far above any real model's. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Map<String, TensorEntry> tensors; // header order
    private final Map<String, String> metadata;
    private final long dataStart; // absolute file offset of the data section: 8 + N

    private SafetensorsHeader(Map<String, TensorEntry> tensors, Map<String, String> metadata, long dataStart) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.dataStart = dataStart;
    }

    public Map<String, TensorEntry> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Absolute file offset at which the data section starts. */
    public long dataStart() {
        return dataStart;
    }

    /**
     * Reads the header length from the first 8 bytes and checks it against the bound and the file size.
     *
     * @param file     name used in error messages
     * @param prefix   at least the first 8 bytes of the file
     * @param fileSize total file size in bytes
     * @return N, the JSON length in bytes
     */
    public static int headerLength(String file, ByteBuffer prefix, long fileSize) {
        if (fileSize < 8) {
            throw new SafetensorsException(file + ": file is " + fileSize + " bytes, shorter than the 8-byte header length (truncated?)");
        }
        long n = prefix.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafetensorsException(file + ": header length " + Long.toUnsignedString(n)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes (corrupt or not a safetensors file)");
        }
        if (8 + n > fileSize) {
            throw new SafetensorsException(file + ": header length " + n + " runs past the end of the "
                    + fileSize + "-byte file (truncated?)");
        }
        return (int) n;
    }

    /**
     * Parses and validates the JSON header.
     *
     * @param file     name used in error messages
     * @param json     the N header bytes
     * @param fileSize total file size, to check offsets against
     */
    public static SafetensorsHeader parse(String file, byte[] json, long fileSize) {
        long dataStart = 8L + json.length;
        long dataSize = fileSize - dataStart;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file + ": header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(file + ": header is not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file + ": header must be a JSON object");
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                parseMetadata(file, f.getValue(), metadata);
            } else {
                tensors.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue()));
            }
        }
        checkTiling(file, tensors, dataSize);
        return new SafetensorsHeader(tensors, metadata, dataStart);
    }

    private static void parseMetadata(String file, JsonNode node, Map<String, String> out) {
        if (!node.isObject()) {
            throw new SafetensorsException(file + ": __metadata__ must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw new SafetensorsException(file + ": __metadata__ value of '" + m.getKey() + "' is not a string");
            }
            out.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static TensorEntry parseEntry(String file, String name, JsonNode node) {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsException(where + ": entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(where + ": missing or non-string dtype");
        }
        DType dtype = DType.parseOrNull(dtypeNode.textValue());
        if (dtype == null) {
            throw new SafetensorsException(where + ": unsupported dtype " + dtypeNode.textValue()
                    + " (supported: " + java.util.Arrays.toString(DType.values()) + ")");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafetensorsException(where + ": missing or non-array shape");
        }
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(where, "shape[" + i + "]", shapeNode.get(i));
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException e) {
                throw new SafetensorsException(where + ": element count of shape " + shapeNode + " overflows 64 bits");
            }
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new SafetensorsException(where + ": data_offsets must be an array [begin, end]");
        }
        long begin = nonNegativeLong(where, "data_offsets[0]", offsets.get(0));
        long end = nonNegativeLong(where, "data_offsets[1]", offsets.get(1));
        if (end < begin) {
            throw new SafetensorsException(where + ": data_offsets end " + end + " is before begin " + begin);
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(where + ": byte size of shape " + shapeNode + " overflows 64 bits");
        }
        if (end - begin != expected) {
            throw new SafetensorsException(where + ": data_offsets span " + (end - begin) + " bytes but "
                    + dtype + shapeNode + " needs " + expected);
        }
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(String where, String field, JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw new SafetensorsException(where + ": " + field + " must be a non-negative 64-bit integer, got " + n);
        }
        return n.longValue();
    }

    /** Offsets must tile [0, dataSize) exactly: no overlap (aliasing), no gap, nothing past the end. */
    private static void checkTiling(String file, Map<String, TensorEntry> tensors, long dataSize) {
        List<TensorEntry> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long expectedBegin = 0;
        TensorEntry prev = null;
        for (TensorEntry e : sorted) {
            if (e.begin() < expectedBegin) {
                throw new SafetensorsException(file + ": tensor '" + e.name() + "' bytes [" + e.begin() + ", " + e.end()
                        + ") overlap tensor '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + ")");
            }
            if (e.begin() > expectedBegin) {
                throw new SafetensorsException(file + ": gap of " + (e.begin() - expectedBegin) + " bytes before tensor '"
                        + e.name() + "' at data offset " + expectedBegin);
            }
            if (e.end() > dataSize) {
                throw new SafetensorsException(file + ": tensor '" + e.name() + "' ends at data offset " + e.end()
                        + " but the data section has only " + dataSize + " bytes (truncated file?)");
            }
            expectedBegin = e.end();
            prev = e;
        }
        if (expectedBegin != dataSize) {
            throw new SafetensorsException(file + ": data section has " + dataSize + " bytes but the tensors cover "
                    + expectedBegin + " (trailing bytes)");
        }
    }
}
