package org.meftspark.device;

import static org.bytedeco.pytorch.global.torch.cuda_device_count;
import static org.bytedeco.pytorch.global.torch.cuda_is_available;
import static org.bytedeco.pytorch.global.torch.get_num_threads;
import static org.bytedeco.pytorch.global.torch.show_config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Facts about the libtorch this JVM loaded: version, threads, CUDA, and a short
 * dense matmul measurement (the peak the model benchmarks are compared against).
 */
public final class TorchRuntime {

    private TorchRuntime() {
    }

    /** libtorch's own version as compiled in, for example {@code 2.10.0}. */
    public static String libtorchVersion() {
        String config = show_config().getString();
        Matcher m = Pattern.compile("TORCH_VERSION=([0-9][^,\\s]*)").matcher(config);
        return m.find() ? m.group(1) : "unknown";
    }

    /** Version of the org.bytedeco:pytorch artifact, for example {@code 2.10.0-1.5.13}. */
    public static String presetVersion() {
        try (InputStream in = torch.class.getResourceAsStream(
                "/META-INF/maven/org.bytedeco/pytorch/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Makes this thread's CPU float arithmetic flush subnormal numbers to zero (x86 FTZ/DAZ, what
     * {@code torch.set_flush_denormal(True)} does). As a model grows confident, softmax outputs and the
     * gradients through them fall below 1.2e-38 and each such value costs the CPU about a hundred
     * times a normal one: pretraining the embedded base slowed from 0.30 to 0.61 s a step over its
     * first 2,300 steps on identical shapes, nearly all of it in backward. Values that small change no
     * result in fp32 training. Returns whether the CPU supports it.
     */
    public static boolean flushDenormals() {
        return org.bytedeco.pytorch.Context.setFlushDenormal(true);
    }

    /**
     * Sets the threads CPU kernels use: libtorch's intra-op count and OpenBLAS's pool, which runs libtorch's
     * fp32 matrix products and which {@code torch.set_num_threads} alone leaves where it was ({@link BlasThreads}).
     * libtorch's count applies to the calling thread's later kernels; OpenBLAS's pool is one per process.
     */
    public static void setThreads(int threads) {
        torch.set_num_threads(Math.max(1, threads));
        BlasThreads.set(threads);
    }

    /** Intra-op threads libtorch uses for CPU kernels. */
    public static int threads() {
        return get_num_threads();
    }

    /** Number of CUDA devices libtorch can use; 0 with the CPU build or without a driver. */
    public static int cudaDevices() {
        return cuda_is_available() ? cuda_device_count() : 0;
    }

    /**
     * Dense fp32 matmul throughput on the CPU: multiplies two n x n matrices
     * repeatedly for about {@code seconds} after one warm-up product and returns
     * GFLOP/s (2 n^3 floating-point operations per product).
     */
    public static double cpuMatmulGflops(int n, double seconds) {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(0);
            Tensor a = torch.randn(n, n);   // [n, n]
            Tensor b = torch.randn(n, n);   // [n, n]
            a.matmul(b);                      // warm-up: thread pool and kernel selection
            long budget = (long) (seconds * 1e9);
            long start = System.nanoTime();
            long products = 0;
            long elapsed;
            do {
                try (PointerScope step = new PointerScope()) {
                    // The result must be forced; matmul on CPU is synchronous.
                    a.matmul(b);
                }
                products++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < budget);
            return 2.0 * n * (double) n * n * products / (elapsed / 1e9) / 1e9;
        }
    }
}
