package org.meftspark.jobs.input;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * When a preprocess or score run has lost too much to count as a success (issue 18, item 3): no usable row
 * at all, or a dataset of which more than {@code data.max_reject_fraction} of the records were rejected. The
 * job still writes and commits its outputs (nothing is lost, the rejects are there to read); the command
 * exits 1 with these lines unless {@code --allow-rejects} is given.
 *
 * <p>Duplicates ({@code duplicate_id}: the same question kept once) and contamination the user asked to
 * remove ({@code contaminated}) are the job doing its work, not lost records, and do not count.
 *
 * @param maxFraction the share of a dataset's records that may be rejected, in [0, 1]
 */
public record RejectPolicy(double maxFraction) {
    private static final int TOP_REASONS = 3;

    /** Whether a reject of this reason counts against the fraction. */
    public static boolean counts(String reason) {
        return !Reject.DUPLICATE_ID.equals(reason) && !Reject.CONTAMINATED.equals(reason);
    }

    /**
     * What is wrong with a run, one line per problem; empty when it passes.
     *
     * @param kept        usable rows per dataset
     * @param rejected    counted rejects per dataset
     * @param reasons     rejects per "reason\tdataset" (all reasons; the counted ones are shown)
     * @param what        what the rows are, for the message ("records", "references")
     * @param remedy      what the user can do, appended to each dataset's line
     */
    public List<String> problems(Map<String, Long> kept, Map<String, Long> rejected, Map<String, Long> reasons,
                                 String what, String remedy) {
        List<String> out = new ArrayList<>();
        long usable = kept.values().stream().mapToLong(Long::longValue).sum();
        if (usable == 0) {
            long all = rejected.values().stream().mapToLong(Long::longValue).sum();
            out.add("no usable row: the input yields 0 " + what + (all > 0 ? " (" + all + " rejected; top reasons: "
                    + top(reasons, null) + ")" : "") + "; check the input paths and formats");
            return out;
        }
        Map<String, Long> datasets = new TreeMap<>(kept);
        rejected.keySet().forEach(d -> datasets.putIfAbsent(d, 0L));
        for (String d : datasets.keySet()) {
            long bad = rejected.getOrDefault(d, 0L);
            long total = bad + kept.getOrDefault(d, 0L);
            if (total > 0 && bad > maxFraction * total) {
                out.add(String.format(Locale.ROOT, "%s: %d of %d %s rejected (%.1f%%), more than max_reject_fraction "
                                + "%s; top reasons: %s; %s", d, bad, total, what, 100.0 * bad / total,
                        trim(maxFraction), top(reasons, d), remedy));
            }
        }
        return out;
    }

    /** The largest counted reasons of one dataset (or all), as "reason N, reason M". */
    static String top(Map<String, Long> reasons, String dataset) {
        Map<String, Long> byReason = new TreeMap<>();
        reasons.forEach((k, v) -> {
            int tab = k.indexOf('\t');
            String reason = tab < 0 ? k : k.substring(0, tab);
            String d = tab < 0 ? "" : k.substring(tab + 1);
            if ((dataset == null || dataset.equals(d)) && counts(reason)) {
                byReason.merge(reason, v, Long::sum);
            }
        });
        return byReason.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey())).limit(TOP_REASONS)
                .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("none");
    }

    /**
     * Prints the problems and gives the command's exit code: 0 when there are none or they are accepted, else 1.
     *
     * @param command the command's name, first on each line ("preprocess", "score")
     */
    public static int exitCode(List<String> problems, boolean allowRejects, java.io.PrintWriter err, String command) {
        if (problems.isEmpty()) {
            return 0;
        }
        for (String p : problems) {
            err.println(command + ": " + (allowRejects ? "accepted (--allow-rejects): " : "") + p);
        }
        err.flush();
        return allowRejects ? 0 : 1;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
