package org.meftspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Training directories on a remote file system: trained in scratch, published whole, seeded back for resume. */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TrainDirectoryTest {

    @Test
    void remoteDirectoryIsPublishedWholeAndSeedsTheNextRun(@TempDir Path dir) throws Exception {
        Configuration conf = new Configuration();
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf, dir.resolve("hdfs").toFile()).numDataNodes(1).build();
        try {
            hdfs.waitActive();
            String target = hdfs.getURI() + "/runs/r/variants/meft/train";
            FileSystem fs = hdfs.getFileSystem();
            Path local;
            try (TrainDirectory d = TrainDirectory.open(target, conf)) {
                local = d.local();
                assertThat(local.toString()).doesNotContain("hdfs");
                Files.createDirectories(local.resolve("checkpoints/step-00000004"));
                Files.writeString(local.resolve("metrics.jsonl"), "{\"step\":1}\n");
                Files.writeString(local.resolve("checkpoints/latest"), "step-00000004\n");
                d.publish(conf);
            }
            assertThat(local).doesNotExist(); // scratch removed
            org.apache.hadoop.fs.Path t = new org.apache.hadoop.fs.Path(target);
            assertThat(fs.exists(new org.apache.hadoop.fs.Path(t, "metrics.jsonl"))).isTrue();
            assertThat(fs.exists(new org.apache.hadoop.fs.Path(t, "checkpoints/latest"))).isTrue();
            assertThat(fs.listStatus(t.getParent())).extracting(s -> s.getPath().getName()).containsExactly("train");

            try (TrainDirectory again = TrainDirectory.open(target, conf)) {
                assertThat(again.local().resolve("checkpoints/latest")).hasContent("step-00000004");
                Files.writeString(again.local().resolve("metrics.jsonl"), "{\"step\":1}\n{\"step\":2}\n");
                again.publish(conf);
            }
            try (var in = fs.open(new org.apache.hadoop.fs.Path(t, "metrics.jsonl"))) {
                assertThat(new String(in.readAllBytes())).contains("\"step\":2");
            }
        } finally {
            hdfs.shutdown();
        }
    }
}
