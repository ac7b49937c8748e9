package org.meftspark.meft;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.meftspark.device.NativeBuffers;

/**
 * In-place row access to a contiguous CPU fp32 matrix [N, d] of the host neuron store, through
 * direct native-order {@link ByteBuffer} views of the tensor's own memory: the fused update loads
 * and stores a row's values straight from and to the store (no JNI call, no libtorch kernel, no
 * copy), and absolute operations leave the buffer untouched, so threads working on different rows
 * can share one view.
 * A Java buffer addresses at most 2^31 - 1 bytes, so the matrix is covered by segments of whole
 * rows (N = 1,048,576 at d = 1,024 is 4 GiB, two segments).
 * Valid while the tensor's storage is: build one per update, never keep it across steps.
 */
final class HostRows {
    /** The most bytes one direct buffer can span. */
    static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE;

    /** the viewed matrix [N, d], held so its storage outlives the views */
    private final Tensor matrix;
    private final int d;
    private final long rowsPerSegment;
    private final ByteBuffer[] segments;

    HostRows(Tensor matrix) {
        this(matrix, MAX_SEGMENT_BYTES);
    }

    /** @param maxSegmentBytes bytes per view (tests use small values to cross segment boundaries) */
    HostRows(Tensor matrix, long maxSegmentBytes) {
        if (!FusedRowUpdate.supports(matrix.is_cpu(), matrix.scalar_type().intern(), matrix.is_contiguous()) || matrix.dim() != 2) {
            throw new IllegalArgumentException("row views need a contiguous CPU fp32 matrix");
        }
        this.matrix = matrix;
        long n = matrix.size(0);
        this.d = Math.toIntExact(matrix.size(1));
        this.rowsPerSegment = Math.max(1, maxSegmentBytes / (4L * d));
        int count = Math.toIntExact((n + rowsPerSegment - 1) / rowsPerSegment);
        this.segments = new ByteBuffer[count];
        BytePointer base = new BytePointer(matrix.data_ptr());
        long rowBytes = (long) d * Float.BYTES;
        for (int s = 0; s < count; s++) {
            long first = s * rowsPerSegment, end = Math.min(n, first + rowsPerSegment);
            segments[s] = NativeBuffers.view(base, first * rowBytes, (end - first) * rowBytes);
        }
    }

    int dim() {
        return d;
    }

    /** The view holding row {@code row}. */
    ByteBuffer segment(long row) {
        return segments[(int) (row / rowsPerSegment)];
    }

    /** Byte offset of row {@code row}'s first value in {@link #segment(long)}. */
    int offset(long row) {
        return (int) (row % rowsPerSegment) * d * Float.BYTES;
    }

    /** The first value of a row (a single load: touching a row before it is needed, see FusedRowUpdate). */
    float first(long row) {
        return segment(row).getFloat(offset(row));
    }
}
