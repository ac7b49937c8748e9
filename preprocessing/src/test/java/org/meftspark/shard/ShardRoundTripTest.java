package org.meftspark.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.RejectReason;
import org.meftspark.data.Rejection;
import org.meftspark.data.SourceLocation;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;

class ShardRoundTripTest {
    @TempDir
    Path dir;

    static TokenizedExample row(int i) {
        int len = 3 + i % 7;
        int[] ids = IntStream.range(0, len).map(j -> (i * 31 + j) % 259).toArray();
        return new TokenizedExample("gsm8k:" + i, "gsm8k", i % 3 == 0 ? "dev" : "train", ids, 1 + i % 2,
                List.of("ans" + i, "caf\u00e9 " + i), "f.jsonl:" + (i + 1), i % 2);
    }

    Manifest writeTwelve(LocalShardStore store) throws Exception {
        ManifestBuilder mb = new ManifestBuilder(new ByteTokenizer(), PromptTemplates.builtIn()).setting("max_length", 64);
        try (ShardSetWriter w = new ShardSetWriter(store, mb, 5, 3, 1 << 20)) {
            for (int i = 0; i < 12; i++) {
                w.write(row(i));
            }
            w.reject(new Rejection(RejectReason.MALFORMED_JSON, "x", new SourceLocation("f", 2, 1)));
            w.reject(new Rejection(RejectReason.TARGET_TOO_LONG, "x", new SourceLocation("f", 3, 2)));
            w.reject(new Rejection(RejectReason.MALFORMED_JSON, "x", new SourceLocation("f", 4, 3)));
            return w.finish();
        }
    }

    @Test
    void roundTripPreservesEveryRowAndTheManifestDescribesIt() throws Exception {
        LocalShardStore store = new LocalShardStore(dir);
        Manifest m = writeTwelve(store);
        assertThat(m.shards()).extracting(Manifest.Shard::file).containsExactly("part-00000.arrow", "part-00001.arrow", "part-00002.arrow");
        assertThat(m.shards()).extracting(Manifest.Shard::rows).containsExactly(5L, 5L, 2L);
        assertThat(m.countsBySplit()).containsEntry("dev", 4L).containsEntry("train", 8L);
        assertThat(m.rejected()).containsEntry("malformed_json", 2L).containsEntry("target_too_long", 1L);
        assertThat(m.tokenizerFingerprint()).isEqualTo(ByteTokenizer.FINGERPRINT);
        assertThat(m.settings()).containsEntry("max_length", "64");
        assertThat(m.tokenStats().max()).isEqualTo(9);
        assertThat(m.tokenStats().sequences()).isEqualTo(12);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
                .containsExactlyInAnyOrder("part-00000.arrow", "part-00001.arrow", "part-00002.arrow", "manifest.json",
                        "manifest.sha256");

        ShardReader reader = ShardReader.open(store, ByteTokenizer.FINGERPRINT);
        assertThat(reader.manifest()).isEqualTo(Manifest.fromJson(m.toJson(), "again"));
        List<Integer> batchSizes = new ArrayList<>();
        List<TokenizedExample> back = new ArrayList<>();
        for (Iterator<List<TokenizedExample>> it = reader.batches(); it.hasNext(); ) {
            List<TokenizedExample> b = it.next();
            batchSizes.add(b.size());
            back.addAll(b);
        }
        assertThat(batchSizes).containsExactly(3, 2, 3, 2, 2);
        assertThat(back).hasSize(12);
        for (int i = 0; i < 12; i++) {
            TokenizedExample want = row(i);
            TokenizedExample got = back.get(i);
            assertThat(got.id()).isEqualTo(want.id());
            assertThat(got.inputIds()).containsExactly(want.inputIds());
            assertThat(got.lossMask()).containsExactly(want.lossMask());
            assertThat(got.promptLength()).isEqualTo(want.promptLength());
            assertThat(got.references()).isEqualTo(want.references());
            assertThat(got.split()).isEqualTo(want.split());
            assertThat(got.source()).isEqualTo(want.source());
            assertThat(got.truncatedTokens()).isEqualTo(want.truncatedTokens());
        }
        // A real IPC file: Arrow's random-access reader (and so Spark, pyarrow) opens it too.
        try (FileChannel ch = FileChannel.open(dir.resolve("part-00000.arrow"));
             ArrowFileReader r = new ArrowFileReader(ch, new RootAllocator())) {
            assertThat(r.getRecordBlocks()).hasSize(2);
        }
    }

    @Test
    void oneShardCanBeReadAloneForATaskAndAnUnknownNameIsRefused() throws Exception {
        LocalShardStore store = new LocalShardStore(dir);
        writeTwelve(store);
        ShardReader reader = ShardReader.open(store, ByteTokenizer.FINGERPRINT);
        List<String> ids = new ArrayList<>();
        reader.batches("part-00001.arrow").forEachRemaining(b -> b.forEach(r -> ids.add(r.id())));
        assertThat(ids).containsExactly("gsm8k:5", "gsm8k:6", "gsm8k:7", "gsm8k:8", "gsm8k:9");
        assertThatThrownBy(() -> reader.batches("part-00009.arrow")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("part-00009.arrow");
    }

    @Test
    void batchesAreBoundedByTokensToo() throws Exception {
        LocalShardStore store = new LocalShardStore(dir);
        ManifestBuilder mb = new ManifestBuilder(new ByteTokenizer(), PromptTemplates.builtIn());
        try (ShardSetWriter w = new ShardSetWriter(store, mb, 100, 100, 10)) {
            for (int i = 0; i < 4; i++) {
                w.write(row(0));   // 3 tokens each: 3 rows fit in 10 tokens
            }
            w.finish();
        }
        List<Integer> sizes = new ArrayList<>();
        ShardReader.open(store, null).batches().forEachRemaining(b -> sizes.add(b.size()));
        assertThat(sizes).containsExactly(3, 1);
    }

    @Test
    void corruptionTruncationAndForeignTokenizersAreRefused() throws Exception {
        LocalShardStore store = new LocalShardStore(dir);
        writeTwelve(store);
        assertThatThrownBy(() -> ShardReader.open(store, "sha-of-another-tokenizer"))
                .isInstanceOf(ShardVerificationException.class).hasMessageContaining("rerun preprocessing");

        Path shard = dir.resolve("part-00001.arrow");
        byte[] good = Files.readAllBytes(shard);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x01;
        Files.write(shard, flipped);
        assertThatThrownBy(() -> ShardReader.open(store, null).rows().count())
                .isInstanceOf(ShardVerificationException.class).hasMessageContaining("part-00001.arrow");

        Files.write(shard, java.util.Arrays.copyOf(good, good.length - 20));
        assertThatThrownBy(() -> ShardReader.open(store, null).rows().count())
                .isInstanceOf(ShardVerificationException.class).hasMessageContaining("part-00001.arrow");

        Files.write(shard, good);
        assertThat(ShardReader.open(store, null).rows().count()).isEqualTo(12);

        Files.delete(dir.resolve("manifest.json"));
        assertThatThrownBy(() -> ShardReader.open(store, null)).hasMessageContaining("incomplete");
    }

    /**
     * Issue 9 item 7: a manifest is untrusted input; a shard file name in it must not reach outside
     * the shard directory. A copy of a real shard is planted where the escape would lead, so a
     * reader that followed the name would find a valid file there rather than fail by accident.
     */
    @Test
    void shardFileNamesInAManifestCannotEscapeTheShardDirectory() throws Exception {
        Path shards = dir.resolve("shards");
        LocalShardStore store = new LocalShardStore(shards);
        writeTwelve(store);
        Files.copy(shards.resolve("part-00000.arrow"), dir.resolve("planted.arrow"));
        Path manifest = shards.resolve("manifest.json");
        byte[] good = Files.readAllBytes(manifest);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String hostile : List.of("../planted.arrow", "../../etc/passwd", "/etc/passwd", dir.resolve("planted.arrow").toString(),
                "..", ".", "", "..\\planted.arrow", "part-00000.arrow\u0000x", ".hidden")) {
            com.fasterxml.jackson.databind.node.ObjectNode m = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(good);
            ((com.fasterxml.jackson.databind.node.ObjectNode) m.withArray("shards").get(0)).put("file", hostile);
            // A hostile writer controls both files: the checksum is rewritten to match, so the name check is what refuses.
            writeManifest(shards, json.writeValueAsBytes(m));
            assertThatThrownBy(() -> ShardReader.open(store, null).rows().count()).as("'%s'", hostile)
                    .isInstanceOf(ShardVerificationException.class)
                    .hasMessageContaining("manifest.json lists shard file '" + hostile + "'")
                    .hasMessageContaining("not a plain file name");
        }
        writeManifest(shards, good);
        assertThat(ShardReader.open(store, null).rows().count()).isEqualTo(12);
    }

    /** Replaces manifest.json and its manifest.sha256 together, as a writer would. */
    static void writeManifest(Path shards, byte[] json) throws Exception {
        Files.write(shards.resolve(Manifest.FILE_NAME), json);
        Files.writeString(shards.resolve(Manifest.SUM_FILE), org.meftspark.hash.Sha256.hex(json) + "  manifest.json\n");
    }

    /**
     * Issue 9 item 3 for manifests: JSON carries no checksum, and most damage to a manifest parses:
     * a flipped digit in a split count or a shard's row count, a flipped letter in a setting. Each of
     * these is now refused by manifest.sha256 when the set is opened, naming the file, before any of
     * it is believed. (ManifestCorruptionTest tries every kind of damage at random.)
     */
    @Test
    void damageThatStillParsesAsAManifestIsRefusedNamingTheFile() throws Exception {
        LocalShardStore store = new LocalShardStore(dir);
        Manifest written = writeTwelve(store);
        Path manifest = dir.resolve(Manifest.FILE_NAME);
        byte[] good = Files.readAllBytes(manifest);
        String text = new String(good, java.nio.charset.StandardCharsets.UTF_8);
        for (String[] edit : new String[][] {{"\"dev\" : 4", "\"dev\" : 5"}, {"\"rows\" : 5", "\"rows\" : 7"},
                {"\"max_length\" : \"64\"", "\"max_length\" : \"65\""}}) {
            assertThat(text).contains(edit[0]);
            byte[] damaged = text.replaceFirst(java.util.regex.Pattern.quote(edit[0]), edit[1])
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(Manifest.fromJson(damaged, "x")).as("still a valid manifest").isNotEqualTo(written);
            Files.write(manifest, damaged);
            assertThatThrownBy(() -> ShardReader.open(store, null)).as(edit[1])
                    .isInstanceOf(ShardVerificationException.class)
                    .hasMessageContaining("manifest.json is damaged: its SHA-256 is").hasMessageContaining("rerun preprocessing");
        }
        Files.write(manifest, good);
        Path sums = dir.resolve(Manifest.SUM_FILE);
        byte[] sum = Files.readAllBytes(sums);
        Files.delete(sums);
        assertThatThrownBy(() -> ShardReader.open(store, null)).isInstanceOf(ShardVerificationException.class)
                .hasMessageContaining("manifest.sha256 is missing");
        Files.write(sums, java.util.Arrays.copyOf(sum, 10));
        assertThatThrownBy(() -> ShardReader.open(store, null)).isInstanceOf(ShardVerificationException.class)
                .hasMessageContaining("manifest.sha256 is damaged");
        Files.write(sums, sum);
        assertThat(ShardReader.open(store, null).manifest()).isEqualTo(written);
    }

    /**
     * Every single-bit error anywhere in a shard is a ShardVerificationException: a corrupted
     * length in an Arrow message header once made the reader try to allocate 1 TiB and die with
     * OutOfMemoryError instead.
     */
    @Test
    void anyFlippedBitInAShardIsAVerificationErrorNeverACrash() throws Exception {
        LocalShardStore store = new LocalShardStore(dir);
        writeTwelve(store);
        Path shard = dir.resolve("part-00001.arrow");
        byte[] good = Files.readAllBytes(shard);
        // 64 positions spread over magic, schema, batch headers, buffers and footer (each read
        // costs ~10 ms), plus byte 8, the first message length, which caused the OutOfMemoryError.
        java.util.SortedSet<Integer> positions = new java.util.TreeSet<>(List.of(8, good.length / 2));
        for (int k = 0; k < 64; k++) {
            positions.add((int) ((long) k * good.length / 64));
        }
        for (int i : positions) {
            for (int bit : new int[] {i % 2 == 0 ? 0x01 : 0x40}) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) bit;
                Files.write(shard, bad);
                int at = i;
                assertThatThrownBy(() -> ShardReader.open(store, null).rows().count()).as("byte %d bit %x", at, bit)
                        .isInstanceOf(ShardVerificationException.class).hasMessageContaining("part-00001.arrow");
            }
        }
    }

    @Test
    void refusesToOverwriteAndAnAbortedWriteLeavesNoFileBehind() throws Exception {
        LocalShardStore store = new LocalShardStore(dir);
        writeTwelve(store);
        assertThatThrownBy(() -> writeTwelve(store)).hasMessageContaining("refusing to overwrite");

        Path other = dir.resolve("aborted");
        LocalShardStore store2 = new LocalShardStore(other);
        try (ShardSetWriter w = new ShardSetWriter(store2, new ManifestBuilder(new ByteTokenizer(), PromptTemplates.builtIn()), 100, 10, 100)) {
            w.write(row(1));
            // no finish(): the job failed
        }
        assertThat(Files.list(other).toList()).isEmpty();
    }

    @Test
    void tokenStatsPercentilesAreExactAndMergeable() {
        TokenStats a = new TokenStats();
        TokenStats b = new TokenStats();
        for (int len = 1; len <= 100; len++) {
            (len % 2 == 0 ? a : b).add(len);
        }
        b.add(5000);
        TokenStats all = a.merge(b);
        assertThat(all.sequences()).isEqualTo(101);
        assertThat(all.percentile(50)).isEqualTo(51);
        assertThat(all.percentile(99)).isEqualTo(100);
        assertThat(all.max()).isEqualTo(5000);
        assertThat(all.mean()).isEqualTo((5050 + 5000) / 101.0);
        assertThat(new TokenStats().percentile(50)).isZero();
    }
}
