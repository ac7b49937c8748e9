package org.meftspark.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImageChartsTest {

    @BeforeAll
    static void headless() {
        // As in the notebook kernel: no display on CI machines.
        System.setProperty("java.awt.headless", "true");
    }

    private static int pixels(BufferedImage img, String hex) {
        int rgb = Color.decode(hex).getRGB() & 0xFFFFFF;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += (img.getRGB(x, y) & 0xFFFFFF) == rgb ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void linesDrawEverySeriesInTheReportPalette() {
        Series a = new Series("meft", new long[] {1, 2, 3, 4}, new double[] {5.5, 5.2, 4.9, 4.1});
        Series b = new Series("lora", new long[] {1, 2, 3, 4}, new double[] {5.6, 5.5, 5.4, 5.3});
        BufferedImage img = ImageCharts.lines("loss", "step", "loss", List.of(a, b));
        assertThat(img.getWidth()).isEqualTo(ImageCharts.WIDTH);
        assertThat(img.getHeight()).isEqualTo(ImageCharts.HEIGHT);
        assertThat(pixels(img, SvgCharts.color(0))).as("first series").isGreaterThan(20);
        assertThat(pixels(img, SvgCharts.color(1))).as("second series").isGreaterThan(20);
        assertThat(pixels(img, SvgCharts.color(2))).as("no third series").isZero();
        assertThat(pixels(img, "#FFFFFF")).as("white background").isGreaterThan(img.getWidth() * img.getHeight() / 2);
    }

    @Test
    void boxesDrawOneBoxPerGroup() {
        Map<String, List<Double>> groups = new LinkedHashMap<>();
        groups.put("nq_open", List.of(0.0, 0.2, 0.5, 0.5, 1.0));
        groups.put("squad", List.of(0.1, 0.3, 0.4));
        groups.put("gsm8k", List.of());
        BufferedImage one = ImageCharts.boxes("f1", "dataset", "f1", Map.of("nq_open", groups.get("nq_open")));
        BufferedImage two = ImageCharts.boxes("f1", "dataset", "f1", groups);
        assertThat(pixels(one, SvgCharts.color(0))).isGreaterThan(100);
        // A second box adds filled area in the same colour.
        assertThat(pixels(two, SvgCharts.color(0))).isGreaterThan(pixels(one, SvgCharts.color(0)) / 2 + 100);
    }

    @Test
    void equalValuesStillGetAReadableAxis() {
        Series flat = new Series("lr", new long[] {1, 2, 3}, new double[] {3e-4, 3e-4, 3e-4});
        assertThat(((XYPlot) ImageCharts.lineChart("lr", "step", "lr", List.of(flat)).getPlot()).getRangeAxis()
                .getRange().getLength()).isGreaterThanOrEqualTo(0.05 * 3e-4);
        // All answers wrong: a metric that is 0 everywhere.
        assertThat(((CategoryPlot) ImageCharts.boxChart("em", "dataset", "em", Map.of("squad", List.of(0.0, 0.0)))
                .getPlot()).getRangeAxis().getRange().getLength()).isGreaterThanOrEqualTo(1.0);
        // A loss between 5.0 and 5.5 fills the plot instead of sitting on top of a zero-based axis.
        Series loss = new Series("loss", new long[] {1, 2}, new double[] {5.5, 5.0});
        assertThat(((XYPlot) ImageCharts.lineChart("loss", "step", "loss", List.of(loss)).getPlot()).getRangeAxis()
                .getRange().getLowerBound()).isGreaterThan(4.0);
    }

    @Test
    void anEmptyFigureIsRefused() {
        assertThatThrownBy(() -> ImageCharts.lines("loss", "step", "loss", List.of(Series.empty("meft"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss");
        assertThatThrownBy(() -> ImageCharts.boxes("f1", "dataset", "f1", Map.of("squad", List.<Double>of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("f1");
    }
}
