package org.meftspark.distributed;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;

/**
 * NCCL, the GPU backend, kept in its own class: its natives exist only in the GPU build of
 * {@code org.bytedeco:pytorch}, and nothing here is loaded unless a CUDA run asks for it.
 */
final class Nccl {
    private Nccl() {
    }

    static Backend group(Store store, ProcessGroupSpec spec) {
        ProcessGroupNCCL.Options o = ProcessGroupNCCL.Options.create();
        o.timeout(new Milliseconds(spec.timeoutMs()));
        return new ProcessGroupNCCL(store, spec.rank(), spec.worldSize(), o);
    }

    /** Whether NCCL's natives load here; the reason when they do not ({@code meft doctor} prints it). */
    static String probe() {
        try {
            Loader.load(org.bytedeco.pytorch.presets.torch_nccl.class);
            return null;
        } catch (Throwable e) { // UnsatisfiedLinkError or NoClassDefFoundError in the CPU build
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
