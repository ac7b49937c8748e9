package org.meftspark.safetensors;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Element types of the safetensors format (https://github.com/huggingface/safetensors,
 * "Format": the {@code dtype} strings) that this project reads and writes, with their
 * width in bytes and the libtorch type they map to. Types outside this list (FP8, complex,
 * unsigned wider than 8 bits) are refused by the header check rather than misread.
 */
public enum DType {
    F64(8, ScalarType.Double),
    F32(4, ScalarType.Float),
    F16(2, ScalarType.Half),
    BF16(2, ScalarType.BFloat16),
    I64(8, ScalarType.Long),
    I32(4, ScalarType.Int),
    I16(2, ScalarType.Short),
    I8(1, ScalarType.Char),
    U8(1, ScalarType.Byte),
    BOOL(1, ScalarType.Bool);

    private final int byteSize;
    private final ScalarType scalarType;

    DType(int byteSize, ScalarType scalarType) {
        this.byteSize = byteSize;
        this.scalarType = scalarType;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The libtorch element type with the same bit layout. */
    public ScalarType scalarType() {
        return scalarType;
    }

    /** The safetensors dtype string for a libtorch element type, or an error naming it. */
    public static DType of(ScalarType type) {
        for (DType d : values()) {
            // JavaCPP hands back enum objects made in native code that carry only the numeric
            // value; intern() maps them to the Java constant so identity comparison works.
            if (d.scalarType == type.intern()) {
                return d;
            }
        }
        throw new IllegalArgumentException("libtorch type " + type + " has no safetensors dtype supported here");
    }

    /** Parses a header dtype string; null when unknown (the caller names file and tensor in the error). */
    static DType parseOrNull(String s) {
        for (DType d : values()) {
            if (d.name().equals(s)) {
                return d;
            }
        }
        return null;
    }
}
