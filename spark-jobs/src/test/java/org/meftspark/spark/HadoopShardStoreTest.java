package org.meftspark.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.ManifestBuilder;
import org.meftspark.shard.ShardReader;
import org.meftspark.shard.ShardSetWriter;
import org.meftspark.shard.ShardVerificationException;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;

/** The Hadoop store over file: (the MiniDFS test covers hdfs:). No Spark needed. */
class HadoopShardStoreTest {
    @TempDir
    Path dir;

    private HadoopShardStore store(Path d) {
        return new HadoopShardStore(d.toUri().toString(), new HadoopConf(new Configuration()));
    }

    private static List<String> visible(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void aStagingStoreWhoseFolderWasDeletedDoesNotBringItBack() throws Exception {
        // A shard task of a failed job that starts after the driver removed the staging folder.
        Path staging = Files.createDirectories(dir.resolve(".shards.staging-x"));
        HadoopShardStore store = HadoopShardStore.inExistingDir(staging.toUri().toString(),
                new HadoopConf(new Configuration()));
        try (var f = store.create("part-00000.attempt-1.arrow")) {
            f.channel().write(ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)));
            f.commit();
        }
        assertThat(store.exists("part-00000.attempt-1.arrow")).isTrue();
        org.apache.hadoop.fs.FileUtil.fullyDelete(staging.toFile());
        assertThatThrownBy(() -> store.create("part-00001.attempt-2.arrow"))
                .isInstanceOf(java.io.FileNotFoundException.class);
        assertThat(staging).doesNotExist();
        // An ordinary store still makes its folder on the first write.
        Path fresh = dir.resolve("fresh/shards");
        try (var f = store(fresh).create("a.bin")) {
            f.commit();
        }
        assertThat(visible(fresh)).containsExactly("a.bin");
    }

    @Test
    void fileAppearsOnlyOnCommitAndAnAbortLeavesNothing() throws Exception {
        HadoopShardStore store = store(dir);
        try (var f = store.create("a.bin")) {
            f.channel().write(ByteBuffer.wrap("half".getBytes(StandardCharsets.UTF_8)));
            assertThat(store.exists("a.bin")).isFalse();
        } // closed without commit
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
        }
        assertThat(store.exists("a.bin")).isFalse();
        try (var f = store.create("a.bin")) {
            f.channel().write(ByteBuffer.wrap("whole".getBytes(StandardCharsets.UTF_8)));
            f.commit();
        }
        assertThat(store.exists("a.bin")).isTrue();
        assertThat(visible(dir)).containsExactly("a.bin");
        try (var in = Channels.newInputStream(store.open("a.bin"))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("whole");
        }
        // A retried writer commits the same name again: the new bytes replace the old ones.
        try (var f = store.create("a.bin")) {
            f.channel().write(ByteBuffer.wrap("again".getBytes(StandardCharsets.UTF_8)));
            f.commit();
        }
        try (var in = Channels.newInputStream(store.open("a.bin"))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("again");
        }
    }

    @Test
    void namesOutsideTheStoreAndMissingFilesAreRefused() {
        HadoopShardStore store = store(dir);
        assertThatThrownBy(() -> store.create("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.create(".hidden")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.open("nope.arrow")).hasMessageContaining("nope.arrow")
                .hasMessageContaining("missing");
    }

    @Test
    void shardSetRoundTripsThroughTheStoreAfterJavaSerialisation() throws Exception {
        HadoopShardStore original = store(dir.resolve("shards"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(original); // as Spark ships it to an executor
        }
        HadoopShardStore shipped;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (HadoopShardStore) in.readObject();
        }
        List<TokenizedExample> rows = IntStream.range(0, 10).mapToObj(i -> new TokenizedExample("nq_open:" + i,
                "nq_open", i < 3 ? "dev" : "train", new int[] {256, 65 + i, 66, 257}, 2, List.of("r" + i),
                "f.jsonl:" + (i + 1), 0)).toList();
        ManifestBuilder mb = new ManifestBuilder(new ByteTokenizer(), PromptTemplates.builtIn());
        try (ShardSetWriter w = new ShardSetWriter(shipped, mb, 4, 2, 1 << 20)) {
            for (TokenizedExample r : rows) {
                w.write(r);
            }
            w.finish();
        }
        assertThat(visible(dir.resolve("shards")))
                .containsExactly("manifest.json", "manifest.sha256", "part-00000.arrow", "part-00001.arrow", "part-00002.arrow");
        ShardReader reader = ShardReader.open(original, ByteTokenizer.FINGERPRINT);
        assertThat(reader.rows().map(TokenizedExample::id).toList())
                .containsExactlyElementsOf(rows.stream().map(TokenizedExample::id).toList());

        // One flipped byte in a shard is caught by the checksum.
        Path shard = dir.resolve("shards/part-00001.arrow");
        byte[] b = Files.readAllBytes(shard);
        b[b.length / 2] ^= 1;
        Files.write(shard, b);
        Files.deleteIfExists(dir.resolve("shards/.part-00001.arrow.crc")); // else Hadoop's own checksum fires first
        assertThatThrownBy(() -> ShardReader.open(original, null).rows().count())
                .isInstanceOf(ShardVerificationException.class).hasMessageContaining("part-00001.arrow");
        assertThat(Manifest.FILE_NAME).isEqualTo("manifest.json");
    }
}
