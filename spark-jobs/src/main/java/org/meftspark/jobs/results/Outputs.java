package org.meftspark.jobs.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.MetricSummary;
import org.meftspark.metrics.MetricsJson;
import org.meftspark.report.HtmlReport;
import org.meftspark.report.LossCurve;
import org.meftspark.report.ReportExample;
import org.meftspark.report.ReportInput;
import org.meftspark.report.WrongPredictions;

/** The files both evaluation jobs write next to their Parquet results, on any Hadoop file system. */
public final class Outputs {
    /** The marker of a complete result directory (written last before the commit). */
    public static final String METRICS = "metrics.json";
    public static final String REPORT = "report.html";

    private Outputs() {
    }

    /** Writes metrics.json and report.html into {@code dir} (a staging directory). */
    public static void writeSummaryAndReport(Path dir, Configuration conf, String title, EvaluationSummary summary,
                                             ResultAggregate agg, List<LossCurve> curves, int perDataset)
            throws IOException {
        ReportInput in = new ReportInput(title, List.of(summary), curves, agg.wrong().examples(), perDataset);
        writeText(new Path(dir, REPORT), conf, HtmlReport.render(in));
        writeText(new Path(dir, WrongPredictions.FILE), conf, WrongPredictions.toJson(agg.wrong().examples()));
        writeText(new Path(dir, METRICS), conf, MetricsJson.toJson(summary));
    }

    /**
     * The wrong-prediction sample of a committed evaluation directory; empty for one written before the
     * sample was saved beside the metrics.
     */
    public static List<ReportExample> readWrong(Path evalDir, Configuration conf) throws IOException {
        Path file = new Path(evalDir, WrongPredictions.FILE);
        FileSystem fs = file.getFileSystem(conf);
        if (!fs.exists(file)) {
            return List.of();
        }
        try (java.io.InputStream in = fs.open(file)) {
            return WrongPredictions.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), file.toString());
        }
    }

    /** Writes a whole text file (UTF-8); the staging directory is what makes it atomic. */
    public static void writeText(Path file, Configuration conf, String text) throws IOException {
        FileSystem fs = file.getFileSystem(conf);
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.hsync();
        }
    }

    /** The aggregate as a plain-text table for the terminal. */
    public static String table(String output, EvaluationSummary s, Map<String, Long> jobWarnings, double seconds) {
        StringBuilder b = new StringBuilder();
        b.append("output: ").append(output).append('\n');
        b.append(String.format(Locale.ROOT, "%-10s %-10s %8s %8s  %-17s%n", "dataset", "metric", "n", "mean", "95% CI"));
        for (MetricSummary m : s.results()) {
            String ci = m.ci95() == null ? "-" : String.format(Locale.ROOT, "[%.4f, %.4f]", m.ci95().low(), m.ci95().high());
            b.append(String.format(Locale.ROOT, "%-10s %-10s %8d %8.4f  %s%n", m.dataset(), m.metric(), m.n(), m.mean(), ci));
        }
        List<String> w = new ArrayList<>();
        s.datasets().forEach((d, c) -> c.warnings().forEach((k, v) -> w.add(d + " " + k + ": " + v)));
        jobWarnings.forEach((k, v) -> w.add(k + ": " + v));
        if (!w.isEmpty()) {
            b.append("warnings: ").append(String.join("; ", w)).append('\n');
        }
        b.append(String.format(Locale.ROOT, "took %.1f s%n", seconds));
        return b.toString();
    }
}
