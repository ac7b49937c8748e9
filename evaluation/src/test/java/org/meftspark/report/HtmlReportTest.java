package org.meftspark.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.evaluation.Prediction;
import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.MetricAggregator;
import org.meftspark.metrics.RowScore;
import org.meftspark.metrics.RunInfo;
import org.meftspark.metrics.TaskScorer;

class HtmlReportTest {
    private static final String XSS = "<script>alert('x')</script>";

    /** A run whose answers are right with probability {@code skill}, scored by the real scorer. */
    private static EvaluationSummary run(String method, double skill, List<ReportExample> wrong) {
        MetricAggregator agg = new MetricAggregator();
        java.util.SplittableRandom random = new java.util.SplittableRandom(method.hashCode());
        for (int i = 0; i < 60; i++) {
            boolean right = random.nextDouble() < skill;
            add(agg, wrong, method, new Prediction("nq_open:" + i, Dataset.NQ_OPEN, "Question: who wrote " + XSS + "?\nAnswer:",
                    right ? "Bob Russell" : "Bob " + XSS, List.of("Bob Russell", "Bobby Scott"), 20, 0, 3));
            add(agg, wrong, method, new Prediction("squad:" + i, Dataset.SQUAD, "Passage: ...", right ? "Denver Broncos" : "the Broncos team",
                    List.of("Denver Broncos"), 20, 0, 3));
            add(agg, wrong, method, new Prediction("toolbench:" + i, Dataset.TOOLBENCH, "Query: ...",
                    right ? "SQUAKE, Checkhealth\nSQUAKE, Projects" : "SQUAKE, Checkhealth\nnot sure", List.of("SQUAKE, Checkhealth", "SQUAKE, Projects"), 20, 0, 3));
            add(agg, wrong, method, new Prediction("gsm8k:" + i, Dataset.GSM8K, "Question: ...", right ? "#### 1,000" : "The answer is 99",
                    List.of("1000"), 20, 0, 3));
        }
        return agg.summarize(new RunInfo(method, "tiny-llama", method.equals("base") ? null : "/adapters/" + method, "beam4", 500, 11,
                "2025-01-01T00:00:00Z", Map.of("config_sha256", "ab12")));
    }

    private static void add(MetricAggregator agg, List<ReportExample> wrong, String method, Prediction p) {
        RowScore s = TaskScorer.score(p.dataset(), p.prediction(), p.references());
        agg.add(s);
        if (s.wrong()) {
            wrong.add(ReportExample.of(method, p, s));
        }
    }

    static ReportInput sample(Path lossFile) throws Exception {
        StringBuilder meft = new StringBuilder();
        for (int step = 0; step <= 200; step += 5) {
            meft.append("{\"step\":").append(step).append(",\"loss\":").append(2.5 * Math.exp(-step / 60.0) + 0.4).append(",\"lr\":1e-4}\n");
        }
        meft.append("not json\n{\"step\": 3}\n{\"step\":4,\"loss\":NaN}\n{\"step\":5,\"loss\":\"x\"}\n\n");
        Files.writeString(lossFile, meft.toString());
        List<ReportExample> wrong = new ArrayList<>();
        List<EvaluationSummary> runs = List.of(run("meft", 0.7, wrong), run("lora <b>r=8</b>", 0.55, wrong), run("base", 0.2, wrong));
        return new ReportInput("Evaluation " + XSS, runs, List.of(LossCurve.read("meft", lossFile)), wrong, 4);
    }

    @Test
    void lossCurvesSkipAndCountBadLines(@TempDir Path dir) throws Exception {
        LossCurve c = sample(dir.resolve("train.jsonl")).lossCurves().get(0);
        assertThat(c.steps()).hasSize(41).startsWith(0L, 5L);
        assertThat(c.losses()[0]).isEqualTo(2.9);
        assertThat(c.skippedLines()).isEqualTo(4);
    }

    @Test
    void reportIsSelfContainedAndShowsDatasetTextAsText(@TempDir Path dir) throws Exception {
        ReportInput in = sample(dir.resolve("train.jsonl"));
        Path out = Path.of(System.getProperty("meft.project.root", ".."), "evaluation/target/report-sample/report.html");
        HtmlReport.write(out, in);
        String html = Files.readString(out);

        assertThat(html.toLowerCase()).doesNotContain("<script", "src=", "href=", "<link", "@import", "url(");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "lora &lt;b&gt;r=8&lt;/b&gt;");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http:", "https:");

        // Every run, dataset and metric in the table and chart, with intervals.
        for (String s : List.of("nq_open", "squad", "toolbench", "gsm8k", "contains", "iou", "accuracy", "tiny-llama", "config_sha256")) {
            assertThat(html).contains(s);
        }
        EvaluationSummary meft = in.runs().get(0);
        String em = String.format(java.util.Locale.ROOT, "%.1f", 100 * meft.result("nq_open", "em").orElseThrow().mean());
        assertThat(html).contains(">" + em + " <span class=\"ci\">[");
        assertThat(html).contains("<svg", "<polyline", "<rect");
        assertThat(html).contains("4 lines without a numeric step and finite loss skipped");
        // Wrong answers: at most 4 shown per method and dataset, with the count of all.
        assertThat(html).containsPattern("nq_open · meft <span class=\"muted\">\\(4 of \\d+\\)");
        assertThat(html).containsPattern("\\d+ × " + java.util.regex.Pattern.quote(
                Html.escape(org.meftspark.metrics.ScoreWarning.UNPARSABLE_TOOL_LINE.description())));
        try (var listing = Files.list(out.getParent())) {
            assertThat(listing).containsExactly(out);
        }
    }
}
