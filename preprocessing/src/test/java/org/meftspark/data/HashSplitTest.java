package org.meftspark.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HashSplitTest {

    @Test
    void sameIdAlwaysGetsTheSameSplitAndTheFractionIsRespected() {
        long dev = IntStream.range(0, 20_000).mapToObj(i -> "gsm8k:" + Integer.toHexString(i * 7919))
                .filter(id -> HashSplit.assign(id, 0.1).equals(HashSplit.DEV)).count();
        // Binomial(20000, 0.1): sd ~ 42; 5 sd either side.
        assertThat(dev).isBetween(1790L, 2210L);
        assertThat(HashSplit.assign("nq_open:0123456789abcdef", 0.3))
                .isEqualTo(HashSplit.assign("nq_open:0123456789abcdef", 0.3));
    }

    @Test
    void knownPositionPinsTheHashSoSplitsNeverMoveBetweenVersions() {
        // sha256("gsm8k:a") starts with 0xd603e70f... (echo -n gsm8k:a | sha256sum): position 0.8360.
        assertThat(HashSplit.position("gsm8k:a")).isBetween(0.8359, 0.8361);
        assertThat(HashSplit.assign("gsm8k:a", 0.4)).isEqualTo("train");
    }

    @Test
    void smallIdsFallInDevWhenTheirPositionIsBelowTheFraction() {
        String id = IntStream.range(0, 1000).mapToObj(i -> "x:" + i).filter(x -> HashSplit.position(x) < 0.01)
                .findFirst().orElseThrow();
        assertThat(HashSplit.assign(id, 0.01)).isEqualTo("dev");
        assertThat(HashSplit.assign(id, HashSplit.position(id))).isEqualTo("train");
    }

    @Test
    void zeroFractionKeepsEverythingInTrainAndBadFractionsAreRefused() {
        assertThat(IntStream.range(0, 1000).mapToObj(i -> "x:" + i).map(id -> HashSplit.assign(id, 0)))
                .containsOnly("train");
        assertThatThrownBy(() -> HashSplit.assign("x", 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HashSplit.assign("x", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
