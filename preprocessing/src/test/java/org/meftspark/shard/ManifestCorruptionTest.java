package org.meftspark.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Issue 9 item 3 for shard manifests, at random: any flipped bit and any truncation of
 * manifest.json or of its manifest.sha256 is refused when the shard set is opened, with a
 * {@link ShardVerificationException} naming the damaged file; nothing else is thrown.
 */
class ManifestCorruptionTest {
    static Path dir;
    static LocalShardStore store;
    static byte[] manifest;
    static byte[] sums;

    @BeforeContainer
    static void writeShardSet() throws Exception {
        dir = Files.createTempDirectory("manifest-corruption");
        store = new LocalShardStore(dir);
        new ShardRoundTripTest().writeTwelve(store);
        manifest = Files.readAllBytes(dir.resolve(Manifest.FILE_NAME));
        sums = Files.readAllBytes(dir.resolve(Manifest.SUM_FILE));
    }

    @AfterContainer
    static void removeIt() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void refusedNaming(String file) {
        try {
            assertThatThrownBy(() -> ShardReader.open(store, null)).isInstanceOf(ShardVerificationException.class)
                    .hasMessageContaining(file + " is damaged");
        } finally {
            restore();
        }
    }

    private static void restore() {
        try {
            Files.write(dir.resolve(Manifest.FILE_NAME), manifest);
            Files.write(dir.resolve(Manifest.SUM_FILE), sums);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property(tries = 300)
    void anyFlippedBitOfTheManifest(@ForAll @IntRange(min = 0, max = 1 << 20) int position, @ForAll @IntRange(max = 7) int bit)
            throws IOException {
        byte[] b = manifest.clone();
        b[position % b.length] ^= (byte) (1 << bit);
        Files.write(dir.resolve(Manifest.FILE_NAME), b);
        refusedNaming(Manifest.FILE_NAME);
    }

    @Property(tries = 200)
    void anyTruncationOfTheManifest(@ForAll @IntRange(min = 0, max = 1 << 20) int length) throws IOException {
        Files.write(dir.resolve(Manifest.FILE_NAME), Arrays.copyOf(manifest, length % manifest.length));
        refusedNaming(Manifest.FILE_NAME);
    }

    @Property(tries = 100)
    void anyFlippedBitOrTruncationOfItsChecksum(@ForAll @IntRange(min = 0, max = 1 << 20) int position,
                                                @ForAll @IntRange(max = 7) int bit, @ForAll boolean truncate) throws IOException {
        byte[] b = truncate ? Arrays.copyOf(sums, position % sums.length) : sums.clone();
        if (!truncate) {
            b[position % b.length] ^= (byte) (1 << bit);
        }
        Files.write(dir.resolve(Manifest.SUM_FILE), b);
        // A flip inside the hex digits still reads as a checksum, one that the manifest does not match.
        try {
            assertThatThrownBy(() -> ShardReader.open(store, null)).isInstanceOf(ShardVerificationException.class)
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("manifest.sha256 is damaged",
                            "manifest.json is damaged"));
        } finally {
            restore();
        }
    }

    @Property(tries = 1)
    void theIntactSetStillOpensAfterEveryRestore() {
        assertThat(ShardReader.open(store, null).rows().count()).isEqualTo(12);
    }
}
