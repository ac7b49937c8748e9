package org.meftspark.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.meftspark.hash.Sha256;

/**
 * Deterministic train/dev assignment for inputs that come without a split (issue 3, item 6):
 * an example goes to dev when the first 64 bits of sha256(id), read as a fraction of 2^64,
 * fall below the dev fraction. The same id always lands in the same split, whatever the
 * machine, the partitioning or the order of the input, so reruns and added inputs never move
 * an example between train and dev (only a changed fraction does).
 */
public final class HashSplit {
    /** The split of examples not held out. */
    public static final String TRAIN = "train";
    /** The held-out split. */
    public static final String DEV = "dev";

    private HashSplit() {
    }

    /**
     * The split of {@code id}.
     *
     * @param devFraction fraction in [0, 1) held out as dev
     */
    public static String assign(String id, double devFraction) {
        if (!(devFraction >= 0 && devFraction < 1)) {
            throw new IllegalArgumentException("dev fraction must be in [0, 1), got " + devFraction);
        }
        return position(id) < devFraction ? DEV : TRAIN;
    }

    /** sha256(id) as a number in [0, 1): uniform over ids, independent of String.hashCode. */
    static double position(String id) {
        byte[] digest = Sha256.newDigest().digest(id.getBytes(StandardCharsets.UTF_8));
        long bits = ByteBuffer.wrap(digest).getLong() >>> 11; // 53 bits: exact in a double
        return bits / (double) (1L << 53);
    }
}
