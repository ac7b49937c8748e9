package org.meftspark.train;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * SHA-256 of a method's trained state (trainables and optimizer state, by name, in the state's order):
 * the ranks of a data-parallel run compare theirs at the end, since their replicas must be bit-identical.
 */
final class StateDigest {
    private StateDigest() {
    }

    @SuppressWarnings("try")
    static String sha256(Map<String, Tensor> state) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            try (PointerScope scope = new PointerScope()) {
                Tensor v = e.getValue().detach();
                Tensor t = v.to(new org.bytedeco.pytorch.Device(torch.DeviceType.CPU), v.scalar_type().intern()).contiguous();
                long n = t.nbytes();
                BytePointer p = new BytePointer(t.data_ptr()).capacity(n);
                md.update(p.asByteBuffer());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
