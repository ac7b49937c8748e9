package org.meftspark.model;

import java.util.List;
import java.util.OptionalInt;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Tiny configs for tests: milliseconds per forward, yet every feature switched on. */
final class TinyModels {
    static final Device CPU = new Device(DeviceType.CPU);

    private TinyModels() {
    }

    /** LLaMA with grouped-query attention (4 query heads share 2 key/value heads) and a tied LM head. */
    static ModelConfig llama() {
        return new ModelConfig(ModelConfig.LLAMA, 40, 16, 24, 2, 4, 2, 4, 1e-5, 10000.0, 64, true,
                OptionalInt.empty(), 1, List.of(2), "float32");
    }

    /** Mistral with a sliding window of 3, shorter than the test sequences, and an untied head. */
    static ModelConfig mistral() {
        return new ModelConfig(ModelConfig.MISTRAL, 40, 16, 24, 2, 4, 1, 4, 1e-5, 1000.0, 64, false,
                OptionalInt.of(3), 1, List.of(2), "float32");
    }

    /** A [rows, cols] int64 tensor. */
    static org.bytedeco.pytorch.Tensor tokens(long[][] rows) {
        int cols = rows[0].length;
        long[] flat = new long[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * cols, cols);
        }
        return org.bytedeco.pytorch.global.torch.from_blob(new org.bytedeco.javacpp.LongPointer(flat),
                new long[] {rows.length, cols}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Long)).clone();
    }

    static Decoder decoder(ModelConfig c, long seed, ScalarType dtype) {
        return new Decoder(c, DecoderWeights.random(c, seed, 0.3, 0.2, CPU, dtype));
    }
}
