package org.meftspark.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResult;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.jobs.preprocess.Preprocess;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.shard.LocalShardStore;
import org.meftspark.shard.ShardReader;
import org.meftspark.shard.ShardWriter;
import org.meftspark.spark.Sessions;
import org.meftspark.tokenize.HfTokenizer;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.tokenize.TruncationSide;

/**
 * docs/benchmarks.md, "Preprocessing": tokens/s per core of the whole Spark job versus DJL's
 * raw encode of the same texts in one thread, and Arrow write MB/s versus a plain file copy.
 *
 * <pre>PreprocessBenchmark GSM8K_TRAIN_JSONL TOKENIZER_DIR CORES [REPS]</pre>
 */
public final class PreprocessBenchmark {
    private PreprocessBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]).toAbsolutePath();
        Path tokDir = Path.of(args[1]).toAbsolutePath();
        int cores = Integer.parseInt(args[2]);
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path work = Files.createTempDirectory("meft-bench");
        try {
            run(file, tokDir, cores, reps, work);
        } finally {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Job overhead per core in percent: how much longer the job takes per token per core than the encode. */
    private static double overhead(double encodeSeconds, double jobSeconds, int cores) {
        return (jobSeconds * cores / encodeSeconds - 1) * 100;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** One run of the job; returns wall and whole-JVM CPU seconds, and checks every example became a row. */
    private static double[] job(SparkSession spark, RunConfig cfg, int expectedRows) throws Exception {
        long t0 = System.nanoTime();
        long c0 = processCpuNanos();
        Preprocess.Result result = Preprocess.run(spark, cfg);
        double[] took = {(System.nanoTime() - t0) / 1e9, (processCpuNanos() - c0) / 1e9};
        System.out.println("  " + result.table().lines().filter(l -> l.startsWith("phases:")).findFirst().orElse(""));
        if (result.manifest().totalRows() != expectedRows) {
            throw new IllegalStateException("job wrote " + result.manifest().totalRows() + " rows, expected " + expectedRows);
        }
        return took;
    }

    /**
     * What {@code cores} threads can do on this machine right now, with one shared tokenizer and with one per
     * thread: the ceiling for the job in local[cores], and whether sharing costs anything.
     */
    private static void parallelEncode(List<String> texts, Path tokDir, int cores, int reps, long tokens)
            throws Exception {
        for (boolean shared : new boolean[] {true, false}) {
            double best = Double.MAX_VALUE;
            List<HuggingFaceTokenizer> toks = new ArrayList<>();
            for (int t = 0; t < (shared ? 1 : cores); t++) {
                toks.add(HuggingFaceTokenizer.newInstance(tokDir.resolve("tokenizer.json"),
                        Map.of("addSpecialTokens", "false")));
            }
            try {
                for (int rep = 0; rep <= reps; rep++) {
                    long t0 = System.nanoTime();
                    List<Thread> threads = new ArrayList<>();
                    for (int t = 0; t < cores; t++) {
                        HuggingFaceTokenizer tok = toks.get(shared ? 0 : t);
                        int from = t * texts.size() / cores;
                        int to = (t + 1) * texts.size() / cores;
                        Thread th = new Thread(() -> {
                            for (String x : texts.subList(from, to)) {
                                tok.encode(x, false, false);
                            }
                        });
                        th.start();
                        threads.add(th);
                    }
                    for (Thread th : threads) {
                        th.join();
                    }
                    double sec = (System.nanoTime() - t0) / 1e9;
                    if (rep > 0) {
                        best = Math.min(best, sec);
                    }
                }
            } finally {
                toks.forEach(HuggingFaceTokenizer::close);
            }
            System.out.printf(Locale.ROOT, "DJL encode, %d threads, %s: best %.2f s = %.0f tokens/s/core%n", cores,
                    shared ? "one shared tokenizer" : "one tokenizer per thread", best, tokens / best / cores);
        }
    }

    /** CPU time of this JVM, every thread. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void run(Path file, Path tokDir, int cores, int reps, Path work) throws Exception {
        // The texts SequenceBuilder encodes: rendered prompt, one space, target.
        PromptTemplates templates = PromptTemplates.builtIn();
        List<String> texts = new ArrayList<>();
        List<Example> examples = new ArrayList<>();
        try (ReadResults rr = DatasetReaders.open(Dataset.GSM8K, "train", file, ReaderOptions.DEFAULTS)) {
            while (rr.hasNext()) {
                ReadResult r = rr.next();
                if (r instanceof Example e) {
                    examples.add(e);
                    texts.add(templates.get(e.dataset()).render(e.fields()).text() + " " + e.target());
                }
            }
        }
        Path yaml = work.resolve("bench.yaml");
        Path out = work.resolve("shards");
        Files.writeString(yaml, """
                data:
                  inputs: [{dataset: gsm8k, path: "%s", split: train}]
                  shards: "%s"
                  max_length: 1024
                  overwrite: true
                model: {tokenizer: "%s"}
                spark: {partitions: %d}
                """.formatted(file, out, tokDir.resolve("tokenizer.json"), cores));
        // Baseline and job alternate within each repetition, so both see the same minutes of this shared
        // machine: the encode alone moved by 23 % between processes on a quiet machine (session 3), and a
        // ratio of two figures measured minutes apart measured that drift as much as the job.
        List<double[]> runs = new ArrayList<>(); // per repetition: encode s, encode CPU s, builder s, job off s, job off CPU s, job on s
        long tokens = 0;
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(tokDir.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false"));
             HfTokenizer tok = HfTokenizer.load(tokDir);
             SparkSession spark = Sessions.create("meft-bench", "local[" + cores + "]",
                     Map.of("spark.sql.shuffle.partitions", String.valueOf(cores)))) {
            SequenceBuilder builder = new SequenceBuilder(tok, templates, 1024, TruncationSide.LEFT);
            RunConfig off = RunConfigLoader.load(yaml, List.of("data.contamination_check=false"));
            RunConfig on = RunConfigLoader.load(yaml, List.of("data.contamination_check=true"));
            for (int rep = 0; rep <= reps; rep++) { // rep 0 warms up
                java.lang.management.ThreadMXBean cpuClock = java.lang.management.ManagementFactory.getThreadMXBean();
                long t0 = System.nanoTime();
                long c0 = cpuClock.getCurrentThreadCpuTime();
                long n = 0;
                for (String t : texts) {
                    n += djl.encode(t, false, false).getIds().length;
                }
                double encode = (System.nanoTime() - t0) / 1e9;
                double encodeCpu = (cpuClock.getCurrentThreadCpuTime() - c0) / 1e9;
                tokens = n;
                // The library's per-example work alone (template, encode with offsets, truncation policy,
                // BOS/EOS), one thread: separates library cost from Spark's.
                t0 = System.nanoTime();
                for (Example e : examples) {
                    builder.build(e);
                }
                double build = (System.nanoTime() - t0) / 1e9;
                double[] jobOff = job(spark, off, texts.size());
                double[] jobOn = job(spark, on, texts.size());
                if (rep > 0) {
                    runs.add(new double[] {encode, encodeCpu, build, jobOff[0], jobOff[1], jobOn[0]});
                    System.out.printf(Locale.ROOT, "rep %d: encode %.2f s (CPU %.2f), builder %.2f s, job check off %.2f s "
                                    + "(CPU %.2f): overhead %.0f %%, job check on %.2f s: overhead %.0f %%%n", rep, encode,
                            encodeCpu, build, jobOff[0], jobOff[1], overhead(encode, jobOff[0], cores),
                            jobOn[0], overhead(encode, jobOn[0], cores));
                }
            }
        }
        System.out.printf(Locale.ROOT, "texts %d, tokens %d%n", texts.size(), tokens);
        double[] bestEncode = runs.stream().min(java.util.Comparator.comparingDouble(r -> r[0])).orElseThrow();
        double encodeRate = tokens / bestEncode[0];
        System.out.printf(Locale.ROOT, "DJL encode, 1 thread: best %.2f s = %.0f tokens/s/core%n", bestEncode[0], encodeRate);
        for (int col : new int[] {3, 5}) {
            double best = runs.stream().mapToDouble(r -> r[col]).min().orElseThrow();
            double[] ratios = runs.stream().mapToDouble(r -> overhead(r[0], r[col], cores)).sorted().toArray();
            System.out.printf(Locale.ROOT, "Spark job local[%d], contamination check %s: best %.2f s = %.0f tokens/s/core; "
                            + "overhead per repetition: median %.0f %% (range %.0f to %.0f %%), best job vs best encode %.0f %%%n",
                    cores, col == 3 ? "off" : "on ", best, tokens / best / cores, median(ratios), ratios[0],
                    ratios[ratios.length - 1], overhead(bestEncode[0], best, cores));
        }
        double[] cpuOverhead = runs.stream().mapToDouble(r -> (r[4] / r[1] - 1) * 100).sorted().toArray();
        // On a loaded machine wall time measures the neighbours; CPU time (the whole JVM's: Spark's threads,
        // GC and JIT included, all of it the job's cost) much less so.
        System.out.printf(Locale.ROOT, "CPU, check off: job (whole JVM) vs encode thread, per repetition: median %.0f %% "
                + "(range %.0f to %.0f %%)%n", median(cpuOverhead), cpuOverhead[0], cpuOverhead[cpuOverhead.length - 1]);
        double[] builderRatio = runs.stream().mapToDouble(r -> r[2] / r[0]).sorted().toArray();
        System.out.printf(Locale.ROOT, "SequenceBuilder (library) / encode, 1 thread, per repetition: median %.2f%n",
                median(builderRatio));
        if (cores > 1) {
            parallelEncode(texts, tokDir, cores, reps, tokens);
        }

        List<TokenizedExample> rows = ShardReader.open(new LocalShardStore(out), null).rows().toList();
        Path arrow = work.resolve("one.arrow");
        Path copy = work.resolve("copy.arrow");
        double writeSeconds = Double.MAX_VALUE;
        double copySeconds = Double.MAX_VALUE;
        long bytes = 0;
        for (int rep = 0; rep <= reps; rep++) {
            long t0 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(arrow, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 ShardWriter w = new ShardWriter(ch, "one.arrow", 1024, 1 << 20)) {
                for (TokenizedExample e : rows) {
                    w.write(e);
                }
                bytes = w.finish().shard().bytes();
            }
            double ws = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            Files.copy(arrow, copy, StandardCopyOption.REPLACE_EXISTING);
            double cs = (System.nanoTime() - t0) / 1e9;
            if (rep > 0) {
                writeSeconds = Math.min(writeSeconds, ws);
                copySeconds = Math.min(copySeconds, cs);
            }
        }
        double mb = bytes / 1e6;
        System.out.printf(Locale.ROOT, "Arrow write (ShardWriter, %d rows, %.1f MB): %.0f MB/s; Files.copy of the "
                + "same file: %.0f MB/s; write/copy = %.2f%n", rows.size(), mb, mb / writeSeconds, mb / copySeconds,
                copySeconds / writeSeconds);
    }

}
