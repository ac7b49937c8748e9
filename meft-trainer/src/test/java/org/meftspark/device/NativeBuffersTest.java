package org.meftspark.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Views past the first 2 GiB of a tensor land where they should. The tensor is 4 GiB of address space but only the
 * pages written here are ever touched (torch.empty does not initialise), so the test costs a few kilobytes.
 */
class NativeBuffersTest {
    @Test
    void aViewPastTwoGibibytesStartsAtItsOwnOffset() {
        Tensor t = torch.empty(1L << 20, 1024); // [1M, 1024] fp32: 4 GiB
        Tensor flat = t.view(-1);
        long index = 3_000_000_000L / Float.BYTES; // byte 3e9: past 2^31
        ByteBuffer b = NativeBuffers.view(new BytePointer(t.data_ptr()), index * Float.BYTES, 4096);
        assertThat(b.capacity()).isEqualTo(4096);
        b.putFloat(0, 42.5f);
        b.putFloat(4092, -7f);
        assertThat(flat.get(index).item_float()).isEqualTo(42.5f);
        assertThat(flat.get(index + 1023).item_float()).isEqualTo(-7f);
        // and at the very end of the storage
        long last = (1L << 30) - 1;
        flat.get(last).fill_(new org.bytedeco.pytorch.Scalar(3.0));
        assertThat(NativeBuffers.view(new BytePointer(t.data_ptr()), last * Float.BYTES, 4).getFloat(0)).isEqualTo(3f);
    }
}
