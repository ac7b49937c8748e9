package org.meftspark.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static Tensor rand(ScalarType type, long... shape) {
        return randn(shape, new TensorOptions(ScalarType.Double)).to(type);
    }

    @Test
    void saveThenLoadIsBitExactForEveryFloatTypeScalarsAndEmptyTensors() {
        manual_seed(7);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a.f32", rand(ScalarType.Float, 3, 5));
        in.put("b.f16", rand(ScalarType.Half, 4, 2, 3));
        in.put("c.bf16", rand(ScalarType.BFloat16, 7));
        in.put("d.f64", rand(ScalarType.Double, 2, 2));
        in.put("e.i64", arange(new org.bytedeco.pytorch.Scalar(10)));
        in.put("f.scalar", rand(ScalarType.Float));
        in.put("g.empty", rand(ScalarType.Float, 0, 4));
        // A non-contiguous view must be written as its logical contents.
        in.put("h.transposed", rand(ScalarType.Float, 3, 4).t());
        Path file = dir.resolve("x.safetensors");
        SafetensorsWriter.write(file, in, Map.of("format", "pt"));

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.header().metadata()).containsEntry("format", "pt");
            assertThat(f.header().dataStart() % 8).isZero();
            assertThat(f.header().tensors().keySet()).containsExactlyElementsOf(in.keySet());
            for (Map.Entry<String, Tensor> e : in.entrySet()) {
                Tensor out = f.load(e.getKey());
                assertThat(out.scalar_type().intern()).isEqualTo(e.getValue().scalar_type().intern());
                assertThat(out.sizes().vec().get()).isEqualTo(e.getValue().sizes().vec().get());
                assertThat(equal(out, e.getValue())).as(e.getKey()).isTrue();
            }
        }
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("x", rand(ScalarType.Float, 2)));
        SafetensorsWriter.write(file, Map.of("y", rand(ScalarType.Float, 3)));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.header().tensors().keySet()).containsExactly("y");
        }
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("w.safetensors");
        }
    }

    @Test
    void shardedCheckpointResolvesTensorsThroughTheIndex() throws Exception {
        Tensor a = rand(ScalarType.Float, 2, 3);
        Tensor b = rand(ScalarType.BFloat16, 4);
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), Map.of("a", a));
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), Map.of("b", b));
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), """
                {"metadata": {"total_size": 32},
                 "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertThat(c.names()).containsExactly("a", "b");
            assertThat(equal(c.load("a"), a)).isTrue();
            assertThat(equal(c.load("b"), b)).isTrue();
            assertThat(c.entry("b").dtype()).isEqualTo(DType.BF16);
        }
    }

    @Test
    void inconsistentIndexIsReportedInOneErrorNamingEveryProblem() throws Exception {
        SafetensorsWriter.write(dir.resolve("s1.safetensors"), Map.of("a", rand(ScalarType.Float, 2), "z", rand(ScalarType.Float, 1)));
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), """
                {"weight_map": {"a": "s1.safetensors", "b": "s1.safetensors", "c": "missing.safetensors", "d": "../etc/passwd"}}""");
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("'b' is listed in s1.safetensors but that shard has no such tensor")
                .hasMessageContaining("shard missing.safetensors (holding 'c') does not exist")
                .hasMessageContaining("'d' maps to '../etc/passwd'")
                .hasMessageContaining("holds 'z'");
    }

    @Test
    void folderWithoutSafetensorsIsRefusedClearly() {
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .hasMessageContaining("neither model.safetensors nor model.safetensors.index.json");
    }
}
