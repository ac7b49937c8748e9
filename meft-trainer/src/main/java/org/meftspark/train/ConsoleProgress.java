package org.meftspark.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows training progress: a one-line progress bar (step, loss, tokens/s, ETA) redrawn in place on
 * an interactive terminal, plain log lines every {@code logEvery} steps otherwise (Spark logs, CI).
 */
public final class ConsoleProgress implements TrainingListener {
    private final PrintStream out;
    private final boolean terminal;
    private final int logEvery;
    private final String prefix;
    private long total;
    private long startNs;
    private long firstStep = -1;

    /**
     * @param terminal true to redraw a bar in place (use {@code System.console() != null})
     * @param logEvery steps between log lines when not on a terminal
     */
    public ConsoleProgress(PrintStream out, boolean terminal, int logEvery) {
        this(out, terminal, logEvery, "");
    }

    /** @param prefix put before every line, e.g. {@code "train meft: "} for a sweep's variants side by side */
    public ConsoleProgress(PrintStream out, boolean terminal, int logEvery, String prefix) {
        this.out = out;
        this.terminal = terminal;
        this.logEvery = Math.max(1, logEvery);
        this.prefix = prefix;
    }

    /** A bar on a terminal, a line every 10 steps otherwise. */
    public static ConsoleProgress forStdout() {
        return new ConsoleProgress(System.out, System.console() != null, 10);
    }

    @Override
    public void onStart(TrainingRun run) {
        total = run.totalSteps();
        startNs = System.nanoTime();
        out.println(prefix + "training " + run);
    }

    @Override
    public void onStep(StepMetrics m) {
        long step = m.step();
        if (firstStep < 0) {
            firstStep = step - 1;
            startNs = System.nanoTime() - (long) (m.stepS() * 1e9);
        }
        double elapsed = (System.nanoTime() - startNs) / 1e9;
        double eta = elapsed / Math.max(1, step - firstStep) * (total - step);
        String line = prefix + String.format(Locale.ROOT, "step %d/%d loss %s lr %s tokens/s %.0f eta %s", step, total,
                fourDigits(m.loss()), shortNumber(m.lr()), m.tokensPerS(), duration(eta));
        if (terminal) {
            int width = 30;
            int filled = (int) (width * step / Math.max(1, total));
            out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + line + "   ");
            if (step == total) {
                out.println();
            }
            out.flush();
        } else if (step % logEvery == 0 || step == total) {
            out.println(line);
        }
    }

    @Override
    public void onEnd(TrainingResult r) {
        if (terminal && r.stepsDone() < r.totalSteps()) {
            out.println();
        }
        out.println(prefix + "training ended after " + r.stepsDone() + " of " + r.totalSteps() + " steps, " + r.badSteps()
                + " skipped; checkpoint " + r.checkpoint());
    }

    /** A loss to 4 significant digits (NaN and infinities as themselves). */
    static String fourDigits(double x) {
        return Double.isFinite(x) ? new java.math.BigDecimal(x).round(new java.math.MathContext(4)).stripTrailingZeros()
                .toPlainString() : Double.toString(x);
    }

    /** A learning rate in short form: 0.003 as 3e-3, 1.5e-4 as 1.5e-4, 0 as 0. */
    static String shortNumber(double x) {
        if (x == 0 || !Double.isFinite(x)) {
            return x == 0 ? "0" : Double.toString(x);
        }
        String s = String.format(Locale.ROOT, "%.2e", x); // 3.00e-03
        String mantissa = s.substring(0, s.indexOf('e')).replaceAll("\\.?0+$", "");
        int exponent = Integer.parseInt(s.substring(s.indexOf('e') + 1));
        return mantissa + "e" + exponent;
    }

    static String duration(double s) {
        long x = Math.round(s);
        return x >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", x / 3600, x / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", x / 60, x % 60);
    }

    /**
     * The progress line of work counted in rows (evaluation, preprocessing), in the form of the step line:
     * {@code rows 1200/5000 rows/s 310 eta 4m05s}, its ETA worked out as the step line's (elapsed time per row
     * done, times the rows left; {@code ?} before the first row). With the total not known yet
     * ({@code total < 0}), the rows and the rate only.
     *
     * @param elapsedSeconds time since the work began
     */
    public static String rowsLine(long done, long total, double elapsedSeconds) {
        double rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
        if (total < 0) {
            return String.format(Locale.ROOT, "rows %d rows/s %.0f", done, rate);
        }
        String eta = done > 0 ? duration(elapsedSeconds / done * Math.max(0, total - done)) : "?";
        return String.format(Locale.ROOT, "rows %d/%d rows/s %.0f eta %s", done, total, rate, eta);
    }

    /**
     * {@code line} as the step bar is drawn on a terminal, to be printed without a newline: back to the
     * line's start, 30 columns filled in proportion to done/total, the line, spaces over a longer old one.
     */
    public static String bar(long done, long total, String line) {
        int width = 30;
        int filled = (int) Math.min(width, width * Math.max(0, done) / Math.max(1, total));
        return "\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + line + "   ";
    }
}
