package org.meftspark.report;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts (no script, no external resource), so the report opens offline in any browser.
 * All label text is escaped; hover text uses SVG {@code <title>}, which browsers show without JS.
 */
final class SvgCharts {
    /** Colour-blind-safe palette (Okabe and Ito 2008), one colour per method. */
    static final String[] PALETTE = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"};

    private SvgCharts() {
    }

    static String color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /** One bar of a grouped chart: value and optional interval, all in [0, 1]; NaN value = missing. */
    record Bar(double value, double low, double high, String tooltip) {
    }

    /**
     * Grouped bar chart of values in [0, 1] (shown as %): one group per label, one bar per series,
     * whiskers for the 95% intervals.
     *
     * @param groups group labels, each two lines (dataset, metric)
     * @param series series names (methods)
     * @param bars   bars[group][series]
     */
    static String groupedBars(List<String[]> groups, List<String> series, Bar[][] bars) {
        int left = 48, right = 12, top = 12, bottom = 48;
        int plotH = 260;
        int groupW = Math.max(70, 24 * series.size() + 30);
        int width = left + right + groupW * groups.size();
        int height = top + plotH + bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
                width, height, width, height));
        for (int t = 0; t <= 4; t++) {
            double y = top + plotH - plotH * t / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", left, y, width - right, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%d%%</text>", left - 6, y + 4, t * 25));
        }
        double barW = (groupW - 20.0) / Math.max(1, series.size());
        for (int g = 0; g < groups.size(); g++) {
            double gx = left + g * groupW + 10;
            for (int k = 0; k < series.size(); k++) {
                Bar b = bars[g][k];
                if (b == null || Double.isNaN(b.value())) {
                    continue;
                }
                double x = gx + k * barW;
                double h = plotH * clamp(b.value());
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s</title></rect>",
                        x + 1, top + plotH - h, barW - 2, h, color(k), Html.escape(b.tooltip())));
                if (!Double.isNaN(b.low())) {
                    double cx = x + barW / 2, y1 = top + plotH - plotH * clamp(b.low()), y2 = top + plotH - plotH * clamp(b.high());
                    s.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" class=\"whisker\"/>",
                            cx, y1, y2, cx - 4, y1, cx + 4, cx - 4, y2, cx + 4));
                }
            }
            double cx = left + g * groupW + groupW / 2.0;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"label\" text-anchor=\"middle\">%s</text>",
                    cx, top + plotH + 18, Html.escape(groups.get(g)[0])));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                    cx, top + plotH + 34, Html.escape(groups.get(g)[1])));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", left, top + plotH, width - right, top + plotH));
        return s.append("</svg>").toString();
    }

    /** Line chart of loss against step, one polyline per curve; long curves are thinned to 1,000 points. */
    static String lines(List<LossCurve> curves) {
        int left = 56, right = 16, top = 12, bottom = 40, plotW = 760, plotH = 260;
        long minX = Long.MAX_VALUE, maxX = Long.MIN_VALUE;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (LossCurve c : curves) {
            for (int i = 0; i < c.steps().length; i++) {
                minX = Math.min(minX, c.steps()[i]);
                maxX = Math.max(maxX, c.steps()[i]);
                minY = Math.min(minY, c.losses()[i]);
                maxY = Math.max(maxY, c.losses()[i]);
            }
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        double pad = (maxY - minY) * 0.05 + 1e-9;
        minY -= pad;
        maxY += pad;
        int width = left + plotW + right, height = top + plotH + bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
                width, height, width, height));
        for (int t = 0; t <= 4; t++) {
            double y = top + plotH - plotH * t / 4.0;
            double v = minY + (maxY - minY) * t / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", left, y, left + plotW, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%.3g</text>", left - 6, y + 4, v));
            double x = left + plotW * t / 4.0;
            long step = minX + Math.round((maxX - minX) * t / 4.0);
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%d</text>", x, top + plotH + 16, step));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"middle\">step</text>", left + plotW / 2, top + plotH + 34));
        for (int k = 0; k < curves.size(); k++) {
            LossCurve c = curves.get(k);
            int n = c.steps().length;
            int stride = Math.max(1, n / 1000);
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < n; i += stride) {
                double x = left + plotW * (c.steps()[i] - minX) / (double) (maxX - minX);
                double y = top + plotH - plotH * (c.losses()[i] - minY) / (maxY - minY);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"><title>%s</title></polyline>",
                    pts.toString().strip(), color(k), Html.escape(c.method())));
        }
        s.append(String.format(Locale.ROOT, "<path d=\"M%d %dV%dH%d\" class=\"axis\" fill=\"none\"/>", left, top, top + plotH, left + plotW));
        return s.append("</svg>").toString();
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
