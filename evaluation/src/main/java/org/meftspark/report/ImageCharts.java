package org.meftspark.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Charts as images, for the notebooks: the Java kernel shows a {@link BufferedImage} as a PNG figure.
 * Rendered with JFreeChart (no display needed under {@code -Djava.awt.headless=true}), in the HTML
 * report's palette so a method has the same colour in both.
 */
public final class ImageCharts {
    /** Pixel size of every chart: wide enough for a few hundred steps, short enough to scroll past. */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 360;
    /** Below this many points per series, each point is marked (a 6-step smoke run is otherwise unreadable). */
    private static final int MARK_POINTS_BELOW = 50;
    private static final Color GRID = new Color(0xDDDDDD);

    private ImageCharts() {
    }

    /**
     * One line per series of value against x (the step for training metrics).
     *
     * @throws IllegalArgumentException when no series has a point: an empty figure would pass for a result
     */
    public static BufferedImage lines(String title, String xLabel, String yLabel, List<Series> series) {
        return lineChart(title, xLabel, yLabel, series).createBufferedImage(WIDTH, HEIGHT);
    }

    static JFreeChart lineChart(String title, String xLabel, String yLabel, List<Series> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        int most = 0;
        double largest = 0;
        for (Series s : series) {
            // Unsorted, duplicates allowed: the points are shown exactly as the file holds them.
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.size(); i++) {
                xy.add(s.steps()[i], s.values()[i]);
                largest = Math.max(largest, Math.abs(s.values()[i]));
            }
            data.addSeries(xy);
            most = Math.max(most, s.size());
        }
        if (most == 0) {
            throw new IllegalArgumentException("nothing to plot for '" + title + "': no series has a point");
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                series.size() > 1, false, false);
        XYPlot plot = chart.getXYPlot();
        style(chart);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(false); // a loss between 5.0 and 5.5 should fill the plot, not a sliver of it
        atLeast(y, largest);
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        r.setDefaultShapesVisible(most < MARK_POINTS_BELOW);
        for (int k = 0; k < series.size(); k++) {
            r.setSeriesPaint(k, Color.decode(SvgCharts.color(k)));
            r.setSeriesStroke(k, new BasicStroke(2f));
        }
        return chart;
    }

    /**
     * A box plot per group (median, quartiles, whiskers, mean), for example a metric's per-example
     * values per dataset.
     *
     * @param groups group label -> values, in the order given; a group without values shows no box
     * @throws IllegalArgumentException when no group has a value
     */
    public static BufferedImage boxes(String title, String groupLabel, String valueLabel,
                                      Map<String, ? extends Collection<? extends Number>> groups) {
        return boxChart(title, groupLabel, valueLabel, groups).createBufferedImage(WIDTH, HEIGHT);
    }

    static JFreeChart boxChart(String title, String groupLabel, String valueLabel,
                               Map<String, ? extends Collection<? extends Number>> groups) {
        DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        boolean any = false;
        double largest = 0;
        for (Map.Entry<String, ? extends Collection<? extends Number>> g : groups.entrySet()) {
            List<Double> values = new ArrayList<>();
            for (Number v : g.getValue()) {
                values.add(v.doubleValue());
                largest = Math.max(largest, Math.abs(v.doubleValue()));
            }
            any |= !values.isEmpty();
            data.add(values, valueLabel, g.getKey());
        }
        if (!any) {
            throw new IllegalArgumentException("nothing to plot for '" + title + "': no group has a value");
        }
        JFreeChart chart = ChartFactory.createBoxAndWhiskerChart(title, groupLabel, valueLabel, data, false);
        style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setRangeGridlinePaint(GRID);
        atLeast((NumberAxis) plot.getRangeAxis(), largest);
        BoxAndWhiskerRenderer r = (BoxAndWhiskerRenderer) plot.getRenderer();
        r.setSeriesPaint(0, Color.decode(SvgCharts.color(0)));
        // The mean matters for 0/1 metrics such as EM, whose median is 0 or 1; its marker scales with the box width.
        r.setMeanVisible(true);
        r.setMaximumBarWidth(0.06);
        return chart;
    }

    /**
     * Keeps the value axis at least 5% of the largest value wide (1 around zero): when every value is
     * equal (all answers wrong, a constant learning rate) the automatic range would be 1e-8 wide and its
     * ticks unreadable.
     */
    private static void atLeast(NumberAxis axis, double largest) {
        axis.setAutoRangeMinimumSize(largest > 0 ? largest * 0.05 : 1.0);
    }

    /** White background like the HTML report, instead of JFreeChart's grey plot area. */
    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
    }
}
