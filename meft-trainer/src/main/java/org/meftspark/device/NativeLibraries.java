package org.meftspark.device;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.bytedeco.javacpp.Loader;

/**
 * Puts every native library of the PyTorch preset into JavaCPP's cache before the first one is loaded.
 *
 * <p>Why: JavaCPP extracts and loads the preset's libraries one at a time. On the first run with an empty
 * cache, {@code libtorch.so} is loaded before {@code libtorch_cpu.so} is extracted beside it, so the dynamic
 * linker looks for {@code libtorch_cpu.so} in the system's paths; where Debian's libtorch is installed (it comes
 * with {@code python3-torch}, which the benchmarks' PyTorch peers use), it loads that second libtorch and the
 * JVM dies with SIGSEGV in {@code c10::Dispatcher::registerFallback}. Found 2026-12-05 on a fresh machine; the
 * second run worked because the cache was full by then. This class touches no libtorch class, so calling it
 * loads nothing.
 */
public final class NativeLibraries {
    private static volatile boolean extracted;

    private NativeLibraries() {
    }

    /** Extracts the preset's libraries (CPU, and GPU where that jar is on the class path); cheap once done. */
    public static void extractPytorch() {
        if (extracted) {
            return;
        }
        synchronized (NativeLibraries.class) {
            if (extracted) {
                return;
            }
            String platform = Loader.getPlatform();
            try {
                for (String folder : new String[] {platform, platform + "-gpu"}) {
                    // a class literal does not initialise the class, so this loads no library
                    Loader.cacheResources(org.bytedeco.pytorch.global.torch.class, "/org/bytedeco/pytorch/" + folder + "/");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract PyTorch's native libraries into JavaCPP's cache ("
                        + e.getMessage() + "): check that the cache folder (org.bytedeco.javacpp.cachedir, by default "
                        + "~/.javacpp/cache) is writable and has space", e);
            }
            extracted = true;
        }
    }
}
