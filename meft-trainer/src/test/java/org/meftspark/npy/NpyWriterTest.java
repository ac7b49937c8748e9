package org.meftspark.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyWriterTest {

    @Test
    void headerFollowsTheNpyV1Layout() {
        byte[] h = NpyWriter.header(new long[] {3, 32000});
        assertThat(h.length % 64).isZero();
        assertThat(h[0] & 0xff).isEqualTo(0x93);
        assertThat(new String(h, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        assertThat(h[6]).isEqualTo((byte) 1);
        int len = ByteBuffer.wrap(h, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertThat(10 + len).isEqualTo(h.length);
        String dict = new String(h, 10, len, StandardCharsets.US_ASCII);
        assertThat(dict).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 32000), }").endsWith("\n");
        assertThat(new String(NpyWriter.header(new long[] {5}), StandardCharsets.US_ASCII)).contains("'shape': (5,)");
    }

    @Test
    void dataFollowsTheHeaderLittleEndianInCOrder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.npy");
        NpyWriter.writeFloat32(f, new long[] {2, 2}, new float[] {1f, -2.5f, Float.NaN, 3e-8f});
        byte[] all = Files.readAllBytes(f);
        int header = NpyWriter.header(new long[] {2, 2}).length;
        assertThat(all).hasSize(header + 16);
        ByteBuffer b = ByteBuffer.wrap(all, header, 16).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getFloat()).isEqualTo(1f);
        assertThat(b.getFloat()).isEqualTo(-2.5f);
        assertThat(b.getFloat()).isNaN();
        assertThat(b.getFloat()).isEqualTo(3e-8f);
        assertThat(Files.list(dir)).containsExactly(f);
    }

    @Test
    void shapeMustMatchTheData(@TempDir Path dir) {
        assertThatThrownBy(() -> NpyWriter.writeFloat32(dir.resolve("y.npy"), new long[] {2, 3}, new float[5]))
                .hasMessageContaining("6 elements but 5");
    }
}
