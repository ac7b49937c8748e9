package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.ShardReader;
import org.meftspark.spark.HadoopConf;
import org.meftspark.spark.HadoopShardStore;
import org.meftspark.spark.Sessions;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;

/** The job reading its inputs from and writing its shards to a real (in-process) HDFS, then reading them back verified. */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PreprocessOnHdfsTest {
    @TempDir
    Path dir;

    @Test
    void shardsWrittenToHdfsReadBackVerified() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        SparkSession spark = null;
        try {
            hdfs.waitActive();
            String uri = hdfs.getFileSystem().getUri().toString();
            spark = Sessions.create("meft-preprocess-hdfs-test", "local[2]", Map.of("spark.sql.shuffle.partitions", "2"));
            Path local = dir.resolve("in");
            PreprocessFixtures.writeInputs(spark, local);
            FileSystem fs = hdfs.getFileSystem();
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()),
                    new org.apache.hadoop.fs.Path(uri + "/data/in"));
            String out = uri + "/shards/fixtures";

            // The config names hdfs:// paths only; the local copies are not read.
            Preprocess.Result r = Preprocess.run(spark, PreprocessFixtures.configFor(uri + "/data/in", out,
                    dir.resolve("cfg")));
            Manifest m = r.manifest();
            assertThat(r.output()).startsWith("hdfs://");
            assertThat(m.totalRows()).isEqualTo(PreprocessFixtures.VALID_ROWS);
            assertThat(m.rejected()).isEqualTo(PreprocessFixtures.REJECTED);

            HadoopShardStore store = new HadoopShardStore(out, new HadoopConf(fs.getConf()));
            List<TokenizedExample> rows = ShardReader.open(store, ByteTokenizer.FINGERPRINT).rows().toList();
            assertThat(rows).hasSize(PreprocessFixtures.VALID_ROWS);
            assertThat(rows).allMatch(e -> e.source().startsWith(uri));
            Map<String, Long> bySplit = new TreeMap<>();
            rows.forEach(e -> bySplit.merge(e.split(), 1L, Long::sum));
            assertThat(bySplit).isEqualTo(m.countsBySplit());

            List<String> names = java.util.Arrays.stream(fs.listStatus(new org.apache.hadoop.fs.Path(uri + "/shards")))
                    .map(FileStatus::getPath).map(org.apache.hadoop.fs.Path::getName).toList();
            assertThat(names).containsExactly("fixtures");
            assertThat(fs.exists(new org.apache.hadoop.fs.Path(out + "/_rejects"))).isTrue();
        } finally {
            if (spark != null) {
                spark.stop();
            }
            hdfs.shutdown();
        }
    }
}
