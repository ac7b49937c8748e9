package org.meftspark.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.meftspark.data.Dataset;
import org.meftspark.metrics.DatasetCounts;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.Metric;
import org.meftspark.metrics.MetricSummary;
import org.meftspark.metrics.RunInfo;
import org.meftspark.metrics.ScoreWarning;

/**
 * A self-contained HTML report (issue 6, item 5): one file with inline CSS and inline SVG, no script
 * and no external resource, so it opens offline and can be mailed or archived as it is. It shows the
 * runs' provenance, the aggregate table with 95% intervals, a chart of every metric per dataset per
 * method, training loss curves, warning counts and a sample of wrong predictions.
 *
 * <p>Every piece of dataset, model or user text is escaped by {@link Html#escape}.
 */
public final class HtmlReport {
    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
            h3{font-size:15px;margin:18px 0 6px}.muted{color:#666}
            table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .ci{color:#666;font-size:12px}.legend span{display:inline-block;margin-right:16px}
            .swatch{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px}
            svg .grid{stroke:#e5e5e5}svg .axis{stroke:#555}svg .whisker{stroke:#222;stroke-width:1.2;fill:none}
            svg .tick{font-size:11px;fill:#555}svg .label{font-size:12px;fill:#222}
            pre{white-space:pre-wrap;word-break:break-word;margin:0;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;max-height:14em;overflow:auto}
            details summary{cursor:pointer;color:#0072B2}
            """;

    private HtmlReport() {
    }

    /** Writes the report atomically (temporary file, then rename). */
    public static void write(Path file, ReportInput in) {
        org.meftspark.io.AtomicFiles.writeString(file, render(in), "report");
    }

    /** The whole page. */
    public static String render(ReportInput in) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(Html.escape(in.title())).append("</title><style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>").append(Html.escape(in.title())).append("</h1>\n");
        runs(h, in.runs());
        results(h, in.runs());
        if (!in.lossCurves().isEmpty()) {
            loss(h, in.lossCurves());
        }
        warnings(h, in.runs());
        wrong(h, in);
        return h.append("</body></html>\n").toString();
    }

    private static void runs(StringBuilder h, List<EvaluationSummary> runs) {
        h.append("<h2>Runs</h2><table><tr><th>method</th><th>model</th><th>adapter</th><th>decoding</th>")
                .append("<th>bootstrap</th><th>seed</th><th>created</th><th>other</th></tr>\n");
        for (int i = 0; i < runs.size(); i++) {
            RunInfo r = runs.get(i).run();
            h.append("<tr><td>").append(swatch(i)).append(Html.escape(r.method())).append("</td><td>").append(Html.escape(r.model()))
                    .append("</td><td>").append(r.adapter() == null ? "<span class=\"muted\">none</span>" : Html.escape(r.adapter()))
                    .append("</td><td>").append(Html.escape(r.decoding())).append("</td><td class=\"num\">").append(r.bootstrapSamples())
                    .append("</td><td class=\"num\">").append(r.seed()).append("</td><td>").append(Html.escape(r.createdAt()))
                    .append("</td><td>");
            r.extra().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                    h.append(Html.escape(e.getKey())).append(": ").append(Html.escape(e.getValue())).append("<br>"));
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    /** (dataset, metric) pairs present in any run, in dataset and metric order. */
    private static List<String[]> groups(List<EvaluationSummary> runs) {
        List<String[]> groups = new ArrayList<>();
        for (Dataset d : Dataset.values()) {
            for (Metric m : Metric.of(d)) {
                if (runs.stream().anyMatch(r -> r.result(d.key(), m.key()).isPresent())) {
                    groups.add(new String[] {d.key(), m.key()});
                }
            }
        }
        return groups;
    }

    private static void results(StringBuilder h, List<EvaluationSummary> runs) {
        List<String[]> groups = groups(runs);
        h.append("<h2>Results</h2><p class=\"muted\">Mean over examples, in %; brackets: percentile-bootstrap 95% interval; ")
                .append("n: examples with a value. <code>contains</code> is the looser reference-code score, not EM.</p>");
        h.append("<table><tr><th>dataset</th><th>metric</th>");
        for (int i = 0; i < runs.size(); i++) {
            h.append("<th>").append(swatch(i)).append(Html.escape(runs.get(i).run().method())).append("</th>");
        }
        h.append("</tr>\n");
        for (String[] g : groups) {
            h.append("<tr><td>").append(Html.escape(g[0])).append("</td><td>").append(Html.escape(g[1])).append("</td>");
            for (EvaluationSummary r : runs) {
                h.append("<td class=\"num\">");
                r.result(g[0], g[1]).ifPresentOrElse(s -> {
                    h.append(pct(s.mean()));
                    if (s.ci95() != null) {
                        h.append(" <span class=\"ci\">[").append(pct(s.ci95().low())).append(", ").append(pct(s.ci95().high())).append("]</span>");
                    }
                    h.append(" <span class=\"ci\">n=").append(s.n()).append("</span>");
                }, () -> h.append("<span class=\"muted\">–</span>"));
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        if (groups.isEmpty()) {
            return;
        }
        SvgCharts.Bar[][] bars = new SvgCharts.Bar[groups.size()][runs.size()];
        for (int g = 0; g < groups.size(); g++) {
            for (int k = 0; k < runs.size(); k++) {
                String method = runs.get(k).run().method();
                String[] key = groups.get(g);
                bars[g][k] = runs.get(k).result(key[0], key[1]).map(s -> bar(method, s)).orElse(null);
            }
        }
        h.append("<h3>Metric per dataset and method</h3>").append(legend(runs.stream().map(r -> r.run().method()).toList()));
        h.append("<div>").append(SvgCharts.groupedBars(groups, runs.stream().map(r -> r.run().method()).toList(), bars)).append("</div>\n");
    }

    private static SvgCharts.Bar bar(String method, MetricSummary s) {
        String tip = method + " · " + s.dataset() + " " + s.metric() + ": " + pct(s.mean()) + "%"
                + (s.ci95() == null ? "" : " [" + pct(s.ci95().low()) + ", " + pct(s.ci95().high()) + "]") + ", n=" + s.n();
        return s.ci95() == null ? new SvgCharts.Bar(s.mean(), Double.NaN, Double.NaN, tip)
                : new SvgCharts.Bar(s.mean(), s.ci95().low(), s.ci95().high(), tip);
    }

    private static void loss(StringBuilder h, List<LossCurve> curves) {
        h.append("<h2>Training loss</h2>").append(legend(curves.stream().map(LossCurve::method).toList()));
        h.append("<div>").append(SvgCharts.lines(curves)).append("</div>\n");
        for (LossCurve c : curves) {
            if (c.skippedLines() > 0 || c.steps().length == 0) {
                h.append("<p class=\"muted\">").append(Html.escape(c.method())).append(": ").append(c.steps().length)
                        .append(" points; ").append(c.skippedLines()).append(" lines without a numeric step and finite loss skipped.</p>\n");
            }
        }
    }

    private static void warnings(StringBuilder h, List<EvaluationSummary> runs) {
        h.append("<h2 id=\"warnings\">Rows and warnings</h2><table><tr><th>method</th><th>dataset</th><th>rows</th><th>scored</th><th>warnings</th></tr>\n");
        for (EvaluationSummary r : runs) {
            for (Map.Entry<String, DatasetCounts> e : new java.util.TreeMap<>(r.datasets()).entrySet()) {
                DatasetCounts c = e.getValue();
                h.append("<tr><td>").append(Html.escape(r.run().method())).append("</td><td>").append(Html.escape(e.getKey()))
                        .append("</td><td class=\"num\">").append(c.rows()).append("</td><td class=\"num\">").append(c.scored()).append("</td><td>");
                new java.util.TreeMap<>(c.warnings()).forEach((w, n) -> h.append(n).append(" × ").append(Html.escape(describe(w))).append("<br>"));
                h.append("</td></tr>\n");
            }
        }
        h.append("</table>\n");
    }

    private static String describe(String warning) {
        try {
            return ScoreWarning.valueOf(warning).description();
        } catch (IllegalArgumentException e) {
            return warning; // written by another version: show the name
        }
    }

    private static void wrong(StringBuilder h, ReportInput in) {
        h.append("<h2 id=\"wrong\">Wrong predictions</h2><p class=\"muted\">A sample per method and dataset of answers below 100% on the ")
                .append("dataset's headline metric.</p>\n");
        Map<String, List<ReportExample>> byKey = new LinkedHashMap<>();
        for (ReportExample e : in.wrongPredictions()) {
            byKey.computeIfAbsent(e.dataset() + "\u0000" + e.method(), k -> new ArrayList<>()).add(e);
        }
        if (byKey.isEmpty()) {
            h.append("<p>None given.</p>\n");
        }
        for (List<ReportExample> list : byKey.values()) {
            ReportExample first = list.get(0);
            int shown = Math.min(in.perDataset(), list.size());
            h.append("<h3>").append(Html.escape(first.dataset())).append(" · ").append(Html.escape(first.method()))
                    .append(" <span class=\"muted\">(").append(shown).append(" of ").append(list.size()).append(")</span></h3>\n");
            h.append("<table><tr><th>id</th><th>prompt</th><th>prediction</th><th>references</th><th>")
                    .append(Html.escape(first.metric())).append("</th></tr>\n");
            for (ReportExample e : list.subList(0, shown)) {
                h.append("<tr><td>").append(Html.escape(e.id())).append("</td><td><details><summary>prompt</summary><pre>")
                        .append(Html.escape(e.prompt())).append("</pre></details></td><td><pre>").append(Html.escape(e.prediction()))
                        .append("</pre></td><td><pre>");
                e.references().forEach(r -> h.append(Html.escape(r)).append('\n'));
                h.append("</pre></td><td class=\"num\">").append(pct(e.score())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
    }

    private static String legend(List<String> names) {
        StringBuilder s = new StringBuilder("<div class=\"legend\">");
        for (int i = 0; i < names.size(); i++) {
            s.append("<span>").append(swatch(i)).append(Html.escape(names.get(i))).append("</span>");
        }
        return s.append("</div>").toString();
    }

    private static String swatch(int i) {
        return "<span class=\"swatch\" style=\"background:" + SvgCharts.color(i) + "\"></span>";
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f", 100 * v);
    }
}
