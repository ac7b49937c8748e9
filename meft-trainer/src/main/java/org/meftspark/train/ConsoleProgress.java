package org.meftspark.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Shows training progress: a one-line progress bar (step, loss, tokens/s, ETA) redrawn in place on
 * an interactive terminal, plain log lines every {@code logEvery} steps otherwise (Spark logs, CI).
 */
public final class ConsoleProgress implements TrainingListener {
    private final PrintStream out;
    private final boolean terminal;
    private final int logEvery;
    private long total;
    private long startNs;
    private long firstStep = -1;

    /**
     * @param terminal true to redraw a bar in place (use {@code System.console() != null})
     * @param logEvery steps between log lines when not on a terminal
     */
    public ConsoleProgress(PrintStream out, boolean terminal, int logEvery) {
        this.out = out;
        this.terminal = terminal;
        this.logEvery = Math.max(1, logEvery);
    }

    /** A bar on a terminal, a line every 10 steps otherwise. */
    public static ConsoleProgress forStdout() {
        return new ConsoleProgress(System.out, System.console() != null, 10);
    }

    @Override
    public void onStart(Map<String, Object> run) {
        total = ((Number) run.get("total_steps")).longValue();
        startNs = System.nanoTime();
        out.println("training " + run);
    }

    @Override
    public void onStep(Map<String, Object> m) {
        long step = ((Number) m.get("step")).longValue();
        if (firstStep < 0) {
            firstStep = step - 1;
            startNs = System.nanoTime() - (long) (((Number) m.get("step_s")).doubleValue() * 1e9);
        }
        double elapsed = (System.nanoTime() - startNs) / 1e9;
        double eta = elapsed / Math.max(1, step - firstStep) * (total - step);
        String line = String.format(Locale.ROOT, "step %d/%d loss %s tokens/s %.0f eta %s", step, total, m.get("loss"),
                ((Number) m.get("tokens_per_s")).doubleValue(), duration(eta));
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
        out.println("training ended after " + r.stepsDone() + " of " + r.totalSteps() + " steps, " + r.badSteps()
                + " skipped; checkpoint " + r.checkpoint());
    }

    static String duration(double s) {
        long x = Math.round(s);
        return x >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", x / 3600, x / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", x / 60, x % 60);
    }
}
