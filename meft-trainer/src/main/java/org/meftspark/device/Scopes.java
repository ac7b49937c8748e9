package org.meftspark.device;

import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Native-memory scopes with results that outlive them (platform-notes.md: every step's tensors
 * must be freed by a PointerScope). JavaCPP frees a pointer when the scope it is attached to
 * closes, and {@link PointerScope#detach} frees it at once, so a result must be retained before
 * the inner scope closes and handed to the enclosing scope afterwards.
 */
public final class Scopes {
    private Scopes() {
    }

    /**
     * Runs {@code body} in a new scope; every temporary it creates is freed on return, except the
     * returned tensors, which move to the enclosing scope (or to the garbage collector when there is none).
     */
    public static Tensor[] keep(Supplier<Tensor[]> body) {
        Tensor[] out;
        try (PointerScope inner = new PointerScope()) {
            out = body.get();
            for (Tensor t : out) {
                if (t != null) {
                    t.retainReference();
                }
            }
        }
        PointerScope outer = PointerScope.getInnerScope();
        for (Tensor t : out) {
            if (t != null && outer != null) {
                outer.attach(t);
                t.releaseReference();
            }
        }
        return out;
    }
}
