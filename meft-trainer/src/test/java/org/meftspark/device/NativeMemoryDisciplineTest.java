package org.meftspark.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.*;

import java.util.List;
import java.util.OptionalInt;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;
import org.meftspark.model.Decoder;
import org.meftspark.model.DecoderHooks;
import org.meftspark.model.DecoderWeights;
import org.meftspark.model.ModelConfig;

/**
 * 200 forward+backward steps, each inside a PointerScope, must not grow resident memory: without
 * the scope every step's native tensors stay allocated until the GC happens to run (platform-notes.md).
 */
class NativeMemoryDisciplineTest {
    @Test
    void twoHundredTrainingStepsStayWithinAResidentMemoryBound() {
        long rss0 = ResidentMemory.bytes();
        org.junit.jupiter.api.Assumptions.assumeTrue(rss0 > 0, "/proc/self/status not available");
        ModelConfig c = new ModelConfig(ModelConfig.LLAMA, 64, 32, 48, 2, 4, 2, 8, 1e-5, 10000.0, 128, true,
                OptionalInt.empty(), 1, List.of(2), "float32");
        Decoder dec = new Decoder(c, DecoderWeights.random(c, 1, 0.1, 0.0, ComputeDevice.cpu().device(), ScalarType.Float));
        Tensor adapter = zeros(new long[] {32, 32}, new TensorOptions(ScalarType.Float)); // [d, d], lives across steps
        adapter.set_requires_grad(true);
        dec.setHooks(new DecoderHooks() {
            @Override
            public Tensor ffnOutput(int layer, Tensor x, Tensor f) {
                return f.add(x.matmul(adapter));
            }
        });
        dec.setRecompute(1, true);
        long[] tokens = new long[2 * 16];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 7) % 64;
        }
        long warm = 0;
        for (int step = 0; step < 200; step++) {
            try (PointerScope scope = new PointerScope()) {
                Tensor x = from_blob(new org.bytedeco.javacpp.LongPointer(tokens), new long[] {2, 16},
                        new TensorOptions(ScalarType.Long)).clone();
                Tensor loss = dec.forward(x).logsumexp(new long[] {-1}, false).mean();
                loss.backward();
                try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                    adapter.sub_(adapter.grad().mul(new org.bytedeco.pytorch.Scalar(1e-3)));
                    adapter.grad().zero_();
                }
            }
            if (step == 20) {
                warm = ResidentMemory.bytes(); // after allocator and thread pools have settled
            }
        }
        long growth = ResidentMemory.bytes() - warm;
        // One step allocates on the order of a megabyte of tensors; 180 leaked steps would exceed this bound.
        assertThat(growth).as("RSS growth over 180 steps, bytes").isLessThan(48L * 1024 * 1024);
        assertThat(adapter.abs().sum().item_double()).isGreaterThan(0.0);
    }
}
