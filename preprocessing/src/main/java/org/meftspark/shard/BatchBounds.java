package org.meftspark.shard;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Checks a loaded record batch's counts and offsets against the bytes its buffers really hold, before
 * {@link ShardReader#convert} sizes arrays by them (issue 9, item 4). A row count or an offset is a number
 * in the file; one flipped byte made an offset of -33554432 and so a 32 MiB string, and Arrow's own
 * {@code validateFull} reads the strings (allocating each) before it would notice. Here every offset is read
 * once, as an int, and must be non-negative, non-decreasing and within the data it indexes.
 */
final class BatchBounds {
    private BatchBounds() {
    }

    /** Throws {@link ShardVerificationException} naming {@code shard} unless every column of {@code root} is in bounds. */
    static void check(VectorSchemaRoot root, String shard) {
        int rows = root.getRowCount();
        require(rows >= 0, shard, "a negative row count " + rows);
        for (FieldVector v : root.getFieldVectors()) {
            require(v.getValueCount() == rows, shard, "column " + v.getName() + " with " + v.getValueCount()
                    + " values in a batch of " + rows + " rows");
            check(v, shard);
        }
    }

    private static void check(FieldVector v, String shard) {
        int n = v.getValueCount();
        require(n >= 0, shard, "column " + v.getName() + " with a negative length " + n);
        if (v instanceof BaseFixedWidthVector f) {
            require(v.getDataBuffer().capacity() >= (long) n * f.getTypeWidth(), shard, "column " + v.getName()
                    + " declaring " + n + " values in " + v.getDataBuffer().capacity() + " bytes");
        } else if (v instanceof BaseVariableWidthVector) {
            offsets(v, n, v.getDataBuffer().capacity(), shard);
        } else if (v instanceof ListVector l) {
            FieldVector child = l.getDataVector();
            offsets(v, n, child.getValueCount(), shard);
            check(child, shard);
        } else {
            throw new ShardVerificationException("shard " + shard + ": unexpected column type " + v.getClass().getSimpleName()
                    + "; the shard was not written by meft-spark, rerun preprocessing");
        }
    }

    /** Offsets {@code [0, n]} must lie in {@code [0, limit]} and never decrease. */
    private static void offsets(FieldVector v, int n, long limit, String shard) {
        if (n == 0) {
            return; // an empty column may have no offsets buffer at all
        }
        ArrowBuf o = v.getOffsetBuffer();
        require(o.capacity() >= 4L * (n + 1), shard, "column " + v.getName() + " declaring " + n + " values with "
                + o.capacity() + " bytes of offsets");
        int previous = 0;
        for (int i = 0; i <= n; i++) {
            int at = o.getInt(4L * i);
            require(at >= previous && at <= limit, shard, "column " + v.getName() + " with offset " + at + " at value " + i
                    + " (previous " + previous + ", data " + limit + ")");
            previous = at;
        }
    }

    private static void require(boolean ok, String shard, String what) {
        if (!ok) {
            throw new ShardVerificationException("shard " + shard + ": a record batch holds " + what
                    + "; the shard is damaged or was not written by meft-spark, rerun preprocessing");
        }
    }
}
