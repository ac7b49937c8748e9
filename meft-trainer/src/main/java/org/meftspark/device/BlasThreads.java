package org.meftspark.device;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * OpenBLAS's thread pool, which libtorch's fp32 matrix products run on and which
 * {@code torch.set_num_threads} does not reach (libtorch sets OpenMP's and MKL's counts only).
 *
 * <p>Why it matters: with {@code OPENBLAS_NUM_THREADS=1} every GEMM of a training step ran on one
 * core while libtorch's other kernels used two; on the benchmark model that made the project's
 * forward 0.57x and forward+backward 0.60x PyTorch's, whose OpenBLAS used both cores
 * (docs/benchmarks.md, issue 20 item 1). The JavaCPP OpenBLAS preset does not map
 * {@code openblas_set_num_threads}, so the function is called through the JDK 17 foreign linker
 * ({@code --add-modules=jdk.incubator.foreign} and {@code --enable-native-access=ALL-UNNAMED}, both
 * in .mvn/jvm.config). The pool is one per process, not per thread.
 *
 * <p>A JVM without that module (the library embedded elsewhere, or a JDK whose foreign API is no
 * longer the incubator's) keeps whatever {@code OPENBLAS_NUM_THREADS} gave it: {@link #set} then
 * returns false and changes nothing.
 */
public final class BlasThreads {
    private static final MethodHandle SET;
    private static final MethodHandle GET;

    static {
        MethodHandle set = null;
        MethodHandle get = null;
        if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isPresent()) {
            // libtorch loads OpenBLAS; its symbols are then visible to dlsym.
            Loader.load(org.bytedeco.pytorch.global.torch.class);
            Pointer s = Loader.addressof("openblas_set_num_threads");
            Pointer g = Loader.addressof("openblas_get_num_threads");
            if (s != null && g != null && !s.isNull() && !g.isNull()) {
                set = Linker.set(s.address());
                get = Linker.get(g.address());
            }
        }
        SET = set;
        GET = get;
    }

    private BlasThreads() {
    }

    /** Whether this JVM can read and set OpenBLAS's pool. */
    public static boolean available() {
        return SET != null;
    }

    /**
     * Sets OpenBLAS's pool to {@code threads} (at least 1). Returns false, changing nothing, where
     * {@link #available()} is false.
     */
    public static boolean set(int threads) {
        if (SET == null) {
            return false;
        }
        try {
            SET.invokeExact(Math.max(1, threads));
            return true;
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /** OpenBLAS's pool size, or -1 where {@link #available()} is false. */
    public static int get() {
        if (GET == null) {
            return -1;
        }
        try {
            return (int) GET.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_num_threads failed", t);
        }
    }

    /** The downcalls; a nested class so that nothing touches the incubator API unless the module is there. */
    private static final class Linker {
        static MethodHandle set(long address) {
            return CLinker.getInstance().downcallHandle(MemoryAddress.ofLong(address),
                    MethodType.methodType(void.class, int.class), FunctionDescriptor.ofVoid(CLinker.C_INT));
        }

        static MethodHandle get(long address) {
            return CLinker.getInstance().downcallHandle(MemoryAddress.ofLong(address),
                    MethodType.methodType(int.class), FunctionDescriptor.of(CLinker.C_INT));
        }
    }
}
