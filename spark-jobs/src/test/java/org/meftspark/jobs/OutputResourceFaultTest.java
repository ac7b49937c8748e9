package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.meftspark.config.DataSection;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.jobs.score.Score;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.FaultyFileSystem;
import org.meftspark.spark.HadoopConf;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.spark.Sessions;
import org.meftspark.tokenize.ByteTokenizer;

/**
 * Issue 9 item 6 for the Spark jobs: the disk fills while shards are written, and the output's
 * folder is not writable (real HDFS permissions: this machine's tests run as root, whom a local
 * file system lets write anywhere). Either way the error names the path and the cause, and the
 * shard set already at the output stays as it was, readable and verified.
 */
@Tag("integration")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class OutputResourceFaultTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path inputs;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> conf = new TreeMap<>(Map.of("spark.sql.shuffle.partitions", "2"));
        FaultyFileSystem.install((k, v) -> conf.put("spark.hadoop." + k, v));
        spark = Sessions.create("meft-resource-faults", "local[2]", conf);
        inputs = dir.resolve("in");
        PreprocessFixtures.writeInputs(spark, inputs);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void aDiskThatFillsDuringAShardWriteNamesTheFileAndLeavesTheEarlierShardSet() throws Exception {
        Path out = dir.resolve("full/shards");
        Preprocess.run(spark, PreprocessFixtures.config(inputs, out));
        Map<String, byte[]> before = SparkTaskFailureTest.files(out);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        // Every shard file runs out of space after 300 bytes, whatever the attempt.
        hadoop.set("meft.faults.full", ".*\\.attempt-.*");
        hadoop.setLong("meft.faults.full.after", 300);
        try {
            assertThatThrownBy(() -> Preprocess.run(spark, PreprocessFixtures.config(inputs, out, "data.overwrite=true")))
                    .hasMessageStartingWith("preprocess: cannot write shard file:" + out.getParent() + "/.shards.staging-")
                    .hasMessageContaining(".attempt-").hasMessageContaining(": No space left on device; nothing was published")
                    .hasMessageContaining("unchanged");
        } finally {
            FaultyFileSystem.clear(hadoop);
        }
        assertEarlierSetStays(out, before);
    }

    /**
     * After the shards: the driver writes {@code _rejects/part-00000} itself, Spark's committer the
     * {@code _contamination/} part file (every attempt of its task fails, as on a disk that stays full).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "rejects, .*/_rejects/part-.*, the rejects to, _rejects",
            "contamination, .*/_contamination/.*part-.*, the contamination pairs to, _contamination"})
    void aDiskThatFillsAfterTheShardsNamesTheFolderAndLeavesTheEarlierShardSet(String name, String files, String what,
                                                                               String folder) throws Exception {
        Path out = dir.resolve("full-" + name + "/shards");
        Preprocess.run(spark, PreprocessFixtures.config(inputs, out));
        Map<String, byte[]> before = SparkTaskFailureTest.files(out);
        assertThat(before.keySet()).as("the fixtures have rejects and a contamination pair")
                .anyMatch(f -> f.startsWith(folder + "/part-00000"));
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        hadoop.set("meft.faults.full", files);
        try {
            assertThatThrownBy(() -> Preprocess.run(spark, PreprocessFixtures.config(inputs, out, "data.overwrite=true")))
                    .hasMessageStartingWith("preprocess: cannot write " + what + " file:" + out.getParent()
                            + "/.shards.staging-")
                    .hasMessageEndingWith("/" + folder + ": No space left on device; nothing was published to data.shards"
                            + " (a shard set already there is unchanged). Free space or fix the permissions there and run"
                            + " again")
                    .message().doesNotContain("\n");
        } finally {
            FaultyFileSystem.clear(hadoop);
        }
        assertEarlierSetStays(out, before);
    }

    /** The shard set written before a failed run is still there, byte for byte, verifies, and nothing is next to it. */
    private static void assertEarlierSetStays(Path out, Map<String, byte[]> before) throws Exception {
        Map<String, byte[]> after = SparkTaskFailureTest.files(out);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((f, bytes) -> assertThat(after.get(f)).as(f).isEqualTo(bytes));
        assertThat(ShardReader.open(new LocalShardStore(out), ByteTokenizer.FINGERPRINT).rows().count())
                .isEqualTo(PreprocessFixtures.VALID_ROWS);
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("shards");
        }
    }

    @Test
    void anOutputFolderThatIsNotWritableIsNamedAndTheShardSetThereStays() throws Exception {
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(new Configuration(), dir.resolve("hdfs").toFile())
                .numDataNodes(1).build();
        try {
            hdfs.waitActive();
            FileSystem fs = hdfs.getFileSystem();
            String out = hdfs.getURI() + "/ro/shards";
            Preprocess.run(spark, PreprocessFixtures.config(inputs, Path.of("unused"), "data.shards=" + out));
            fs.setPermission(new org.apache.hadoop.fs.Path("/ro"), new FsPermission((short) 0555));
            fs.setPermission(new org.apache.hadoop.fs.Path("/ro/shards"), new FsPermission((short) 0555));
            // Another user than the one owning the folders (HDFS's superuser is whoever started it).
            UserGroupInformation alice = UserGroupInformation.createRemoteUser("alice");
            assertThatThrownBy(() -> alice.doAs((PrivilegedExceptionAction<Object>) () -> Preprocess.run(spark,
                    PreprocessFixtures.config(inputs, Path.of("unused"), "data.shards=" + out, "data.overwrite=true"))))
                    .hasMessageContaining("data.shards: cannot prepare " + out)
                    .hasMessageContaining("Permission denied: user=alice, access=WRITE").hasMessageContaining("/ro");
            Path preds = Files.writeString(dir.resolve("preds.jsonl"), "{\"id\": \"x\", \"prediction\": \"y\"}\n");
            assertThatThrownBy(() -> alice.doAs((PrivilegedExceptionAction<Object>) () -> Score.run(spark,
                    new Score.Options(preds.toString(), Score.PredictionFormat.AUTO, out, null, DataSection.Format.AUTO,
                            hdfs.getURI() + "/ro/scores", false, "x", 0, 1, 1, 1))))
                    .hasMessageContaining("--out: cannot prepare " + hdfs.getURI() + "/ro/scores")
                    .hasMessageContaining("Permission denied: user=alice, access=WRITE");
            HadoopShardStore store = new HadoopShardStore(out, new HadoopConf(spark.sparkContext().hadoopConfiguration()));
            assertThat(ShardReader.open(store, ByteTokenizer.FINGERPRINT).rows().count()).isEqualTo(PreprocessFixtures.VALID_ROWS);
            assertThat(List.of(fs.listStatus(new org.apache.hadoop.fs.Path("/ro"))))
                    .extracting(s -> s.getPath().getName()).containsExactly("shards");
        } finally {
            hdfs.shutdown();
        }
    }
}
