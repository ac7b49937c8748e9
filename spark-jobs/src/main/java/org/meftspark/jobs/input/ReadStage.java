package org.meftspark.jobs.input;

import static org.apache.spark.sql.functions.col;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.HashSplit;
import org.meftspark.data.ReadResult;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.data.Rejection;
import org.meftspark.data.RowMapping;
import org.meftspark.data.SourceLocation;
import org.meftspark.data.UnusableInputException;
import org.meftspark.spark.HadoopConf;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Reads every input file into examples and rejections. JSONL, JSON and HF Arrow files are read
 * by the library's streaming readers on a Hadoop input stream, one task per file (memory is
 * bounded by the reader, not the file); Parquet is read by Spark, split as Spark splits it,
 * and each row is mapped by {@link RowMapping}. Examples of an input without a split get one
 * from {@link HashSplit}.
 */
public final class ReadStage {
    /** Hidden columns naming each Parquet row's file and position (Spark's _metadata). */
    private static final String FILE_COL = "__meft_file";
    private static final String ROW_COL = "__meft_row";

    private ReadStage() {
    }

    public static JavaRDD<Outcome<Sourced>> read(SparkSession spark, List<InputFile> files, HadoopConf conf,
                                          double devFraction) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<InputFile> streamed = files.stream().filter(f -> f.kind() != InputFile.Kind.PARQUET).toList();
        List<JavaRDD<Outcome<Sourced>>> parts = new ArrayList<>();
        if (!streamed.isEmpty()) {
            parts.add(jsc.parallelize(streamed, streamed.size())
                    .flatMap(f -> readFile(f, conf, devFraction)));
        }
        Map<Integer, List<InputFile>> parquetByInput = new LinkedHashMap<>();
        files.stream().filter(f -> f.kind() == InputFile.Kind.PARQUET)
                .forEach(f -> parquetByInput.computeIfAbsent(f.input(), k -> new ArrayList<>()).add(f));
        for (List<InputFile> group : parquetByInput.values()) {
            parts.add(readParquet(spark, group, devFraction));
        }
        if (parts.isEmpty()) {
            return jsc.emptyRDD();
        }
        JavaRDD<Outcome<Sourced>> all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.union(parts.get(i));
        }
        return all;
    }

    /** Streams one file through its reader; the input is closed when the task ends, however it ends. */
    private static Iterator<Outcome<Sourced>> readFile(InputFile f, HadoopConf conf, double devFraction) {
        Path p = new Path(f.path());
        InputStream in;
        try {
            in = p.getFileSystem(conf.get()).open(p);
        } catch (FileNotFoundException e) {
            throw new UnusableInputException("input file " + f.path() + " does not exist (was it removed while the job "
                    + "ran?); check the path in the config", e);
        } catch (IOException e) {
            throw new UnusableInputException("cannot open input file " + f.path() + ": " + e.getMessage(), e);
        }
        String split = f.split().isEmpty() ? HashSplit.TRAIN : f.split();
        ReadResults results = DatasetReaders.open(f.dataset(), f.format(), split, in, f.path(), ReaderOptions.DEFAULTS);
        TaskContext ctx = TaskContext.get();
        if (ctx != null) {
            ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> results.close());
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                boolean more = results.hasNext();
                if (!more) {
                    results.close();
                }
                return more;
            }

            @Override
            public Outcome<Sourced> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return outcome(f, results.next(), devFraction);
            }
        };
    }

    private static Outcome<Sourced> outcome(InputFile f, ReadResult r, double devFraction) {
        if (r instanceof Example e) {
            return Outcome.ok(new Sourced(f.input(),
                    f.split().isEmpty() ? e.withSplit(HashSplit.assign(e.id(), devFraction)) : e));
        }
        return Outcome.rejected(Reject.of((Rejection) r, f.dataset().key(), "", f.split(), 0));
    }

    /** One input's Parquet files through Spark; each row keeps its file and row index as its source. */
    private static JavaRDD<Outcome<Sourced>> readParquet(SparkSession spark, List<InputFile> files, double devFraction) {
        InputFile first = files.get(0);
        Dataset<Row> df = spark.read().parquet(files.stream().map(InputFile::path).toArray(String[]::new));
        Dataset<Row> withSource = df.select(col("*"), col("_metadata.file_path").as(FILE_COL),
                col("_metadata.row_index").as(ROW_COL));
        return withSource.toJavaRDD().map(row -> {
            StructType schema = row.schema();
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < schema.fields().length; i++) {
                String name = schema.fields()[i].name();
                if (!name.equals(FILE_COL) && !name.equals(ROW_COL)) {
                    values.put(name, plain(row.get(i)));
                }
            }
            SourceLocation where = new SourceLocation(row.getString(row.fieldIndex(FILE_COL)), 0,
                    row.getLong(row.fieldIndex(ROW_COL)));
            String split = first.split().isEmpty() ? HashSplit.TRAIN : first.split();
            return outcome(first, RowMapping.map(first.dataset(), values, split, where), devFraction);
        });
    }

    /** Spark values to the plain Java values RowMapping expects: structs as Map, arrays as List. */
    static Object plain(Object v) {
        if (v instanceof Row r) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < r.schema().fields().length; i++) {
                m.put(r.schema().fields()[i].name(), plain(r.get(i)));
            }
            return m;
        }
        if (v instanceof scala.collection.Seq<?> s) {
            List<Object> l = new ArrayList<>();
            for (Object o : CollectionConverters.asJava(s)) {
                l.add(plain(o));
            }
            return l;
        }
        if (v instanceof scala.collection.Map<?, ?> sm) {
            Map<Object, Object> m = new LinkedHashMap<>();
            CollectionConverters.asJava(sm).forEach((k, x) -> m.put(plain(k), plain(x)));
            return m;
        }
        return v;
    }
}
