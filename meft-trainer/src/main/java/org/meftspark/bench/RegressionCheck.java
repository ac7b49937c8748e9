package org.meftspark.bench;

import java.util.Locale;

/**
 * One line a benchmark prints for a target an earlier issue met, so every run says whether it still holds
 * (issue 20 item 5). Targets are the earlier issues' own thresholds, not the best value ever measured.
 */
public final class RegressionCheck {
    private RegressionCheck() {
    }

    /** "regression check (issue N): WHAT = VALUE (target >= T): PASS|FAIL". */
    public static String atLeast(String issue, String what, double value, double target) {
        return line(issue, what, value, ">=", target, value >= target);
    }

    /** "regression check (issue N): WHAT = VALUE (target <= T): PASS|FAIL". */
    public static String atMost(String issue, String what, double value, double target) {
        return line(issue, what, value, "<=", target, value <= target);
    }

    private static String line(String issue, String what, double value, String op, double target, boolean pass) {
        return String.format(Locale.ROOT, "regression check (%s): %s = %.3g (target %s %.3g): %s", issue, what, value, op,
                target, pass ? "PASS" : "FAIL");
    }
}
