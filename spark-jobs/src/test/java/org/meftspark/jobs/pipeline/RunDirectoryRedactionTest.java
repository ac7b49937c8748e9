package org.meftspark.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;

/**
 * Issue 9 item 7: credentials for HDFS/S3/Azure/GCS arrive as Spark/Hadoop settings and must never
 * be written to a run directory. Checks the run.json that {@link RunDirectory#describe} writes on
 * disk, with the setting names the Hadoop connectors really use.
 */
class RunDirectoryRedactionTest {
    @TempDir
    Path tmp;

    @Test
    void runJsonHoldsNoCredentialFromSparkOrHadoopSettings() throws Exception {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.hadoop.fs.s3a.access.key", "AKIAFAKEACCESSKEY0001");
        conf.put("spark.hadoop.fs.s3a.secret.key", "fake-secret-0002");
        conf.put("spark.hadoop.fs.s3a.session.token", "fake-session-token-0003");
        conf.put("spark.hadoop.fs.s3a.bucket.data.secret.key", "fake-bucket-secret-0004");
        conf.put("spark.hadoop.fs.s3a.encryption.key", "fake-sse-c-key-0005");
        conf.put("spark.hadoop.fs.azure.account.key.myacct.blob.core.windows.net", "fake-azure-key-0006");
        conf.put("spark.hadoop.fs.azure.account.oauth2.client.secret", "fake-oauth-0007");
        conf.put("spark.hadoop.google.cloud.auth.service.account.json.keyfile", "/secrets/fake-gcs-0008.json");
        conf.put("spark.ssl.keyPassword", "fake-ssl-0009");
        conf.put("spark.authenticate.secret", "fake-rpc-0010");
        conf.put("spark.hadoop.hadoop.security.credential.provider.path", "jceks://hdfs/fake-0011.jceks");
        conf.put("spark.eventLog.dir", "s3a://AKIAFAKE0012:fake-inline-secret-0013@logs/events");
        conf.put("spark.master", "local[2]");
        conf.put("spark.executor.memory", "4g");
        conf.put("spark.hadoop.fs.defaultFS", "hdfs://namenode:8020");
        RunConfig c = RunConfigLoader.parse("run: {dir: '" + tmp + "', name: redact}", "test", List.of());
        RunDirectory dir = RunDirectory.of(c, new Configuration());
        dir.describe(List.of(), List.of("meft"), conf, "cpu");
        String json = Files.readString(tmp.resolve("redact/run.json"));
        for (int i = 1; i <= 13; i++) {
            assertThat(json).as("secret %04d", i).doesNotContain(String.format("%04d", i));
        }
        assertThat(json).contains("\"spark.master\" : \"local[2]\"").contains("\"spark.executor.memory\" : \"4g\"")
                .contains("hdfs://namenode:8020").contains("s3a://(redacted)@logs/events")
                .contains("\"spark.hadoop.fs.s3a.access.key\" : \"(redacted)\"");
    }
}
