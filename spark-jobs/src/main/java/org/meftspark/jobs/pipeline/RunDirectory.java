package org.meftspark.jobs.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.meftspark.config.RunConfig;

/**
 * The run directory ({@code run.dir/run.name}, any Hadoop path):
 * <pre>
 *   config.yaml                      the configuration file as given
 *   run.json                         overrides, variants, versions, device, Spark settings (no secrets)
 *   shards.json                      which shard set was used (path, manifest sha256, rows)
 *   variants/NAME/train/             trainer metrics.jsonl, checkpoints/, DONE.json
 *   variants/NAME/eval/              per-example Parquet, metrics.json, report.html
 *   metrics.json, report.html        all variants together
 * </pre>
 * Small files are written to a temporary name and renamed, so none is ever half-written.
 */
public final class RunDirectory {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Spark settings whose names suggest a credential are never written to the run directory. */
    private static final Pattern SECRET = Pattern.compile("(?i).*(secret|password|passwd|token|credential|access\\.key|"
            + "secret\\.key|auth|keystore|truststore|signature|"
            // a setting named *.key or *.key.<suffix>: Azure's fs.azure.account.key.<account>, S3A's fs.s3a.encryption.key
            + "[.]key([.]|$)).*");
    /** user:password@ in a URI value (s3a://AKIA...:secret@bucket/, jdbc:...//user:pw@host). */
    private static final Pattern URI_USERINFO = Pattern.compile("(?<=://)[^/@\\s]+@");

    private final FileSystem fs;
    private final Path root;
    private final Configuration conf;

    private RunDirectory(FileSystem fs, Path root, Configuration conf) {
        this.fs = fs;
        this.root = root;
        this.conf = conf;
    }

    static RunDirectory of(RunConfig c, Configuration conf) throws IOException {
        Path p = new Path(c.run().dir(), c.run().name());
        FileSystem fs = p.getFileSystem(conf);
        Path root = fs.makeQualified(p);
        fs.mkdirs(root);
        return new RunDirectory(fs, root, conf);
    }

    Path root() {
        return root;
    }

    Path variant(String name, String part) {
        return new Path(new Path(new Path(root, "variants"), name), part);
    }

    FileSystem fs() {
        return fs;
    }

    /**
     * Records the configuration; a run directory belongs to one configuration, so a different one is
     * refused (reusing its completed stages would mix two experiments).
     */
    void claim(String configText, List<String> overrides) throws IOException {
        Path config = new Path(root, "config.yaml");
        Path marker = new Path(root, "config.sha256");
        String digest = sha256(configText + "\n--set " + String.join("\n--set ", overrides));
        if (fs.exists(marker)) {
            String existing = read(marker).strip();
            if (!existing.equals(digest)) {
                throw new org.meftspark.spark.OutputConflictException("run directory " + root + " was made by another configuration (or other "
                        + "--set overrides); its completed stages do not belong to this one. Choose another run.name, "
                        + "or delete " + root + " to start over");
            }
            return;
        }
        write(config, configText);
        write(marker, digest + "\n");
    }

    /** The versions a result depends on, as recorded in run.json. */
    public static Map<String, String> versions() {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("java", Runtime.version().toString());
        versions.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        versions.put("libtorch", org.meftspark.device.TorchRuntime.libtorchVersion());
        versions.put("org.bytedeco:pytorch", org.meftspark.device.TorchRuntime.presetVersion());
        return versions;
    }

    /** run.json: what is needed to reproduce the run (without any credential). */
    void describe(List<String> overrides, List<String> variants, Map<String, String> sparkConf, String device)
            throws IOException {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("overrides", overrides);
        run.put("variants", variants);
        run.put("versions", versions());
        run.put("device", device);
        run.put("spark_conf", redact(sparkConf));
        run.put("written_at", java.time.Instant.now().toString());
        write(new Path(root, "run.json"), JSON.writeValueAsString(run));
    }

    /**
     * Spark settings as run.json records them: a setting whose name suggests a credential is
     * "(redacted)", and credentials embedded in a URI value (user:password@) are cut out.
     */
    static Map<String, String> redact(Map<String, String> sparkConf) {
        Map<String, String> spark = new java.util.TreeMap<>();
        sparkConf.forEach((k, v) -> spark.put(k, SECRET.matcher(k).matches() ? "(redacted)"
                : v == null ? null : URI_USERINFO.matcher(v).replaceAll("(redacted)@")));
        return spark;
    }

    /** Writes a small text file atomically (temporary name, then rename over the old one). */
    void write(Path file, String text) throws IOException {
        Path tmp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.hsync();
        }
        if (fs.exists(file)) {
            fs.delete(file, false);
        }
        if (!fs.rename(tmp, file)) {
            fs.delete(tmp, false);
            throw new IOException("cannot rename " + tmp + " to " + file);
        }
    }

    String read(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    Map<String, Object> readJson(Path file) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.readValue(read(file), LinkedHashMap.class);
        return m;
    }

    String toJson(Object o) throws IOException {
        return JSON.writeValueAsString(o);
    }

    /** sha256 of a file's bytes, streamed. */
    String sha256(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
