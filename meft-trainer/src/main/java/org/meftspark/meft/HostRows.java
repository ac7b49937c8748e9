package org.meftspark.meft;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;

/**
 * In-place row access to a contiguous CPU fp32 matrix [N, d] of the host neuron store, through
 * direct {@link FloatBuffer} views of the tensor's own memory: an absolute bulk get or put of a row
 * is a plain memory copy (no JNI call, no libtorch kernel), and absolute operations leave the buffer
 * untouched, so threads working on different rows can share one view.
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
    private final FloatBuffer[] segments;

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
        this.segments = new FloatBuffer[count];
        FloatPointer base = new FloatPointer(matrix.data_ptr());
        for (int s = 0; s < count; s++) {
            long first = s * rowsPerSegment, end = Math.min(n, first + rowsPerSegment);
            segments[s] = new FloatPointer(base).position(first * d).limit(end * d).asBuffer();
        }
    }

    int dim() {
        return d;
    }

    /** Copies row {@code row} into {@code dst[0, d)}. */
    void read(long row, float[] dst) {
        segments[(int) (row / rowsPerSegment)].get((int) (row % rowsPerSegment) * d, dst, 0, d);
    }

    /** Copies {@code len} values of row {@code row} from column {@code from} into {@code dst[0, len)}. */
    void read(long row, int from, float[] dst, int len) {
        segments[(int) (row / rowsPerSegment)].get((int) (row % rowsPerSegment) * d + from, dst, 0, len);
    }

    /** Copies {@code src[0, len)} into row {@code row} from column {@code from}. */
    void write(long row, int from, float[] src, int len) {
        segments[(int) (row / rowsPerSegment)].put((int) (row % rowsPerSegment) * d + from, src, 0, len);
    }

    /** The first value of a row (a single load: touching a row before it is needed, see FusedRowUpdate). */
    float first(long row) {
        return segments[(int) (row / rowsPerSegment)].get((int) (row % rowsPerSegment) * d);
    }

    /** Copies {@code src[0, d)} into row {@code row}. */
    void write(long row, float[] src) {
        segments[(int) (row / rowsPerSegment)].put((int) (row % rowsPerSegment) * d, src, 0, d);
    }
}
