package org.meftspark.jobs.score;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.meftspark.data.JsonErrors;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.Reject;
import org.meftspark.spark.HadoopConf;
import scala.Tuple2;

/**
 * Reads predictions in the formats other systems write them (issue 18, item 4):
 * <ul>
 *   <li>{@link Score.PredictionFormat#JSONL}: one JSON object per line, {@code {"id": ..., "prediction": ...}} (this
 *       project's format; ids with or without the {@code squad:} prefix) or {@code {"question": ..., "prediction":
 *       ...}} (NQ-open/EfficientQA and GSM8K systems, whose files have no ids);</li>
 *   <li>{@link Score.PredictionFormat#SQUAD}: the official SQuAD prediction file, one JSON object
 *       {@code {"<question id>": "<answer>", ...}} (what {@code evaluate-v1.1.py} and {@code evaluate-v2.0.py} read);</li>
 *   <li>{@link Score.PredictionFormat#PARQUET}: columns {@code id} and {@code prediction}.</li>
 * </ul>
 * Every record's position is its 1-based line (its row in Parquet), as preprocessing's sources are.
 */
final class PredictionInput {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes of the first file read to tell its format: far more than one prediction line. */
    private static final int SNIFF_BYTES = 1 << 16;

    private PredictionInput() {
    }

    /** The format {@link Score.PredictionFormat#AUTO} resolves to, and why (printed with the result). */
    record Detected(Score.PredictionFormat format, String how) implements java.io.Serializable {
    }

    /** Resolves the format: as given, or from the path's name and the first file's first line. */
    static Detected detect(String path, Score.PredictionFormat f, Configuration conf) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new IllegalArgumentException("--predictions " + path + " does not exist");
            }
            if (f != Score.PredictionFormat.AUTO) {
                return new Detected(f, "as given (--format " + f.name().toLowerCase(Locale.ROOT) + ")");
            }
            List<Path> files = files(fs, p);
            if (path.toLowerCase(Locale.ROOT).endsWith(".parquet")
                    || files.stream().anyMatch(x -> x.getName().endsWith(".parquet"))) {
                return new Detected(Score.PredictionFormat.PARQUET, "detected: Parquet (file name)");
            }
            if (files.isEmpty()) {
                return new Detected(Score.PredictionFormat.JSONL, "detected: no file (JSON lines assumed)");
            }
            byte[] head = new byte[SNIFF_BYTES];
            int n;
            try (InputStream in = fs.open(files.get(0))) {
                n = in.readNBytes(head, 0, head.length);
            }
            String text = new String(head, 0, n, StandardCharsets.UTF_8);
            String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
            JsonNode node = null;
            try {
                node = JSON.readTree(first);
            } catch (JacksonException e) {
                // not one object on the first line: a dict written over many lines, or a broken line
            }
            if (node != null && node.isObject() && (node.has("prediction") || node.has("id") || node.has("question"))) {
                return new Detected(Score.PredictionFormat.JSONL, "detected: JSON lines with "
                        + (node.has("id") ? "ids" : node.has("question") ? "questions" : "predictions")
                        + " (first line of " + files.get(0).getName() + ")");
            }
            if (first.startsWith("{") && (node == null || node.isObject())) {
                return new Detected(Score.PredictionFormat.SQUAD, "detected: the official SQuAD prediction dict "
                        + "{\"<id>\": \"<answer>\"} (" + files.get(0).getName() + ")");
            }
            return new Detected(Score.PredictionFormat.JSONL, "detected: JSON lines (first line of "
                    + files.get(0).getName() + " is not a prediction; it will be rejected)");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("--predictions: cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** A file, or a folder's visible files in name order. */
    private static List<Path> files(FileSystem fs, Path p) throws IOException {
        if (!fs.getFileStatus(p).isDirectory()) {
            return List.of(p);
        }
        List<Path> out = new ArrayList<>();
        for (FileStatus s : fs.listStatus(p)) {
            String name = s.getPath().getName();
            if (s.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                out.add(s.getPath());
            }
        }
        out.sort(null);
        return out;
    }

    /** Reads {@code path} in format {@code f} (never AUTO). */
    static JavaRDD<Outcome<PredictionRecord>> read(SparkSession spark, String path, Score.PredictionFormat f,
                                                   Configuration conf, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return switch (f) {
            case PARQUET -> readParquet(spark, path);
            case SQUAD -> readSquadDict(jsc, path, conf);
            case JSONL, AUTO -> readJsonLines(jsc, path, conf, partitions);
        };
    }

    /**
     * JSONL through Hadoop's line reader, keeping each line's raw bytes (to detect non-UTF-8) and its line
     * number. A first, cheap pass counts the lines of every split; each split's first line number is then the
     * lines of the splits before it in its file (a split owns exactly the lines that start in it).
     */
    @SuppressWarnings("unchecked")
    static JavaRDD<Outcome<PredictionRecord>> readJsonLines(JavaSparkContext jsc, String path, Configuration conf,
                                                         int partitions) {
        JavaNewHadoopRDD<LongWritable, Text> lines = (JavaNewHadoopRDD<LongWritable, Text>) jsc.newAPIHadoopFile(path,
                TextInputFormat.class, LongWritable.class, Text.class, withSplitCap(path, conf, partitions));
        Broadcast<Map<String, Long>> starts = jsc.broadcast(firstLines(lines));
        return lines.mapPartitionsWithInputSplit((split, it) -> {
            FileSplit s = (FileSplit) split;
            String file = s.getPath().toString();
            long first = starts.value().getOrDefault(file + "@" + s.getStart(), 1L);
            return parsed(it, file, first);
        }, true);
    }

    /** A copy of {@code conf} whose split size is capped so that every partition gets a share of {@code path}. */
    private static Configuration withSplitCap(String path, Configuration conf, int partitions) {
        // A file smaller than a block is one split, so one task would parse it all (measured: the whole
        // read on one core); cap the split size so every core gets a share.
        Configuration c = new Configuration(conf);
        try {
            Path p = new Path(path);
            long bytes = p.getFileSystem(conf).getContentSummary(p).getLength();
            c.setLong("mapreduce.input.fileinputformat.split.maxsize", Math.max(1L << 20, bytes / partitions + 1));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("--predictions: cannot read " + path + ": " + e.getMessage(), e);
        }
        return c;
    }

    /** The cheap first pass: "file@split start" -> the 1-based number of the split's first line. */
    private static Map<String, Long> firstLines(JavaNewHadoopRDD<LongWritable, Text> lines) {
        List<Tuple2<String, long[]>> counts = lines.mapPartitionsWithInputSplit((split, it) -> {
            FileSplit s = (FileSplit) split;
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return List.of(new Tuple2<>(s.getPath().toString(), new long[] {s.getStart(), n})).iterator();
        }, true).collect();
        Map<String, Long> firstLine = new HashMap<>();
        Map<String, List<long[]>> byFile = new HashMap<>();
        counts.forEach(t -> byFile.computeIfAbsent(t._1(), k -> new ArrayList<>()).add(t._2()));
        byFile.forEach((file, splits) -> {
            splits.sort((a, b) -> Long.compare(a[0], b[0]));
            long before = 0;
            for (long[] s : splits) {
                firstLine.put(file + "@" + s[0], before + 1);
                before += s[1];
            }
        });
        return firstLine;
    }

    /** Parses one split's lines, numbered from {@code first}, as the reader returns them. */
    private static Iterator<Outcome<PredictionRecord>> parsed(Iterator<Tuple2<LongWritable, Text>> it, String file,
                                                              long first) {
        return new Iterator<Outcome<PredictionRecord>>() {
            private Outcome<PredictionRecord> next;
            private long line = first - 1;

            @Override
            public boolean hasNext() {
                while (next == null && it.hasNext()) {
                    Tuple2<LongWritable, Text> t = it.next();
                    line++;
                    // Text is reused by the reader: parse before advancing.
                    next = PredictionRecord.parseJsonLine(t._2().getBytes(), t._2().getLength(), file, line);
                }
                return next != null;
            }

            @Override
            public Outcome<PredictionRecord> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Outcome<PredictionRecord> out = next;
                next = null;
                return out;
            }
        };
    }

    /**
     * The official SQuAD prediction file(s), one task per file, streamed (a dict of 100k answers is never one
     * tree). A value that is not a string is scored as its JSON text; a syntax error or data after the document
     * ends the file with one reject after the records before it.
     */
    static JavaRDD<Outcome<PredictionRecord>> readSquadDict(JavaSparkContext jsc, String path, Configuration conf) {
        List<String> files;
        try {
            Path p = new Path(path);
            files = files(p.getFileSystem(conf), p).stream().map(Path::toString).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("--predictions: cannot read " + path + ": " + e.getMessage(), e);
        }
        HadoopConf hc = new HadoopConf(conf);
        return jsc.parallelize(files, Math.max(1, files.size())).flatMap(f -> squadDict(f, hc).iterator());
    }

    static List<Outcome<PredictionRecord>> squadDict(String file, HadoopConf conf) throws IOException {
        List<Outcome<PredictionRecord>> out = new ArrayList<>();
        Path p = new Path(file);
        try (InputStream in = p.getFileSystem(conf.get()).open(p);
             JsonParser parser = new JsonFactory().createParser(in)) {
            try {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    out.add(reject(file, 1, "the official SQuAD prediction file is one JSON object "
                            + "{\"<question id>\": \"<answer>\", ...}"));
                    return out;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    long line = parser.currentTokenLocation().getLineNr();
                    String id = parser.currentName();
                    parser.nextToken();
                    JsonNode value = JSON.readTree(parser);
                    if (id.isBlank()) {
                        out.add(reject(file, line, "a blank question id"));
                        continue;
                    }
                    out.add(Outcome.ok(new PredictionRecord(PredictionRecord.projectId(id.strip()),
                            PredictionRecord.text(value), file, line, 1, List.of())));
                }
                long end = parser.currentLocation().getLineNr();
                if (parser.nextToken() != null) {
                    out.add(reject(file, end, "more data after the end of the prediction dict (which ended at "
                            + "line " + end + "); the file must hold one JSON object"));
                }
            } catch (JacksonException e) {
                out.add(reject(file, parser.currentLocation().getLineNr(), "not valid JSON: " + JsonErrors.describe(e)
                        + "; the rest of the file is not read"));
            }
        }
        return out;
    }

    private static Outcome<PredictionRecord> reject(String file, long line, String message) {
        return Outcome.rejected(new Reject("malformed_line", message, file + ":" + Math.max(line, 1), "", ""));
    }

    /** Parquet with an id column and a prediction column (strings, or anything castable to one). */
    static JavaRDD<Outcome<PredictionRecord>> readParquet(SparkSession spark, String path) {
        org.apache.spark.sql.Dataset<Row> df = spark.read().parquet(path);
        List<String> columns = Arrays.asList(df.columns());
        if (!columns.contains("id") || !columns.contains("prediction")) {
            throw new IllegalArgumentException("--predictions " + path + ": Parquet predictions need the columns id and "
                    + "prediction; found " + columns);
        }
        return df.select(col("id").cast("string"), col("prediction").cast("string"),
                col("_metadata.file_path"), col("_metadata.row_index")).toJavaRDD().map(r -> {
                    String id = r.isNullAt(0) ? "" : r.getString(0);
                    if (id.isBlank()) {
                        return Outcome.<PredictionRecord>rejected(new Reject("malformed_line", "null or blank id",
                                r.getString(2) + "#" + r.getLong(3), "", ""));
                    }
                    List<String> warnings = r.isNullAt(1) || r.getString(1).indexOf('\uFFFD') < 0 ? List.of()
                            : List.of("non_utf8_line: the prediction holds U+FFFD");
                    return Outcome.ok(new PredictionRecord(PredictionRecord.projectId(id.strip()),
                            r.isNullAt(1) ? null : r.getString(1), r.getString(2), r.getLong(3), 1, warnings));
                });
    }
}
