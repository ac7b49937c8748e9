package org.meftspark.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
    /**
     * In a JVM with an empty cache, extracting puts every library libtorch.so needs beside it and loads
     * none of them (so a later load finds them there, not in the system's paths; see NativeLibraries).
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void anEmptyCacheIsFilledBeforeAnythingLoads(@TempDir Path cache) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp",
                System.getProperty("java.class.path"), Child.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("loaded none");
        try (Stream<Path> files = Files.walk(cache)) {
            List<Path> torch = files.filter(f -> f.getFileName().toString().equals("libtorch.so")).toList();
            assertThat(torch).as(out).isNotEmpty();
            for (Path lib : torch) {
                for (String needed : new String[] {"libtorch_cpu.so", "libc10.so", "libjnitorch.so"}) {
                    assertThat(lib.resolveSibling(needed)).as("beside " + lib).isRegularFile();
                }
            }
        }
    }

    /** The child JVM: extracts twice (idempotent) and reports whether JavaCPP loaded any library. */
    public static final class Child {
        public static void main(String[] args) {
            NativeLibraries.extractPytorch();
            NativeLibraries.extractPytorch();
            System.out.println(Loader.getLoadedLibraries().keySet().stream().anyMatch(l -> l.contains("torch"))
                    ? "loaded " + Loader.getLoadedLibraries().keySet() : "loaded none");
        }
    }
}
