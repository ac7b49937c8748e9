package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.spark.TestSupport;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.train.TinyDisk;

/**
 * Issue 9 item 6 for the preprocessing job's shard writes on a real small disk ({@link TinyDisk}: a
 * tmpfs the kernel fills or makes read-only), where {@link OutputResourceFaultTest} injects the
 * failure in Hadoop's file system layer and needs HDFS for permissions (tests run as root, whom a
 * local folder's modes do not stop; a read-only mount stops root too). A run that replaces a shard
 * set fails naming the shard file and the kernel's reason, publishes nothing, leaves no staging
 * folder, and the earlier shard set still verifies.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ShardWriteTinyDiskTest {
    /** Holds the fixtures' shard set (tens of KiB with _rejects/ and checksums), not the large run's shards. */
    static final int DISK_KIB = 512;

    @TempDir
    Path tmp;

    @Test
    void diskFullAndReadOnlyDuringAShardWriteLeaveTheEarlierShardSetIntact() throws Exception {
        TinyDisk.assumeAvailable();
        Path mount = tmp.resolve("disk");
        Path copy = tmp.resolve("copy");
        Path log = tmp.resolve("child.log");
        LaunchEnvironment env = LaunchEnvironment.current();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(env.jvmFlags());
        cmd.addAll(List.of("-Xmx1g", "-Dmeft.project.root=" + env.root(),
                "-Dlog4j2.configurationFile=" + env.logConfig(), "-cp", TestSupport.testClasspath(),
                ShardWriteChild.class.getName(), mount.toString(), Files.createDirectories(tmp.resolve("work")).toString(),
                "small", "large", "ro", "large"));
        int rc = TinyDisk.run(mount, DISK_KIB, copy, log, cmd);
        String out = Files.readString(log);
        System.out.println(out); // the messages, for docs/reliability.md
        assertThat(rc).as(out).isZero();

        List<String> lines = out.lines().filter(l -> l.matches("^(small|large|ro): .*")).toList();
        assertThat(lines).as(out).hasSize(10);
        assertThat(lines.subList(0, 3)).containsExactly("small: ok", "small: listing [shards]",
                "small: verify " + PreprocessFixtures.VALID_ROWS + " rows");
        // The disk filled while a shard of the large run was written: the message names that file (in the
        // staging folder next to the output) and the kernel's reason, and says the earlier set is unchanged.
        assertThat(lines.get(3)).startsWith("large: failed: preprocess: cannot write shard file:" + mount
                        + "/.shards.staging-").contains(".attempt-", ".arrow: No space left on device",
                        "nothing was published to data.shards (a shard set already there is unchanged)");
        // No staging folder is left to fill the disk, and the earlier set still verifies.
        assertThat(lines.subList(4, 7)).containsExactly("large: listing [shards]",
                "large: verify " + PreprocessFixtures.VALID_ROWS + " rows", "ro: exit 0");
        assertThat(lines.get(7)).startsWith("large: failed: data.shards: cannot prepare " + mount.resolve("shards"))
                .contains("Read-only file system");
        assertThat(lines.subList(8, 10)).containsExactly("large: listing [shards]",
                "large: verify " + PreprocessFixtures.VALID_ROWS + " rows");

        // What the disk held at the end, read outside the child: the earlier set alone, and it verifies.
        assertThat(ShardWriteChild.listing(copy)).isEqualTo("[shards]");
        assertThat(ShardReader.open(new LocalShardStore(copy.resolve("shards")), ByteTokenizer.FINGERPRINT).rows().count())
                .isEqualTo(PreprocessFixtures.VALID_ROWS);
    }
}
