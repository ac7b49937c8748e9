package org.meftspark.jobs.preprocess;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.meftspark.shard.Manifest;
import org.meftspark.shard.TokenStats;

/** The table the job prints at the end: what was written, what was kept out and why, what looked contaminated. */
final class SummaryTable {
    /** The share of examples the suggested max_length keeps whole (issue 18, item 2). */
    static final double KEEP_PERCENT = 99.0;

    private SummaryTable() {
    }

    /**
     * @param rows      "dataset\tsplit" -> {@link Tally#byDatasetSplit()} counts
     * @param needed    "dataset\tsplit" -> uncut lengths of kept rows and length rejects
     * @param maxLength data.max_length
     * @param rejects   "reason\tdataset" -> count
     * @param examples  up to a few contamination pairs, already formatted
     */
    static String render(String output, Manifest m, Map<String, long[]> rows, Map<String, TokenStats> needed,
                         int maxLength, Map<String, Long> rejects, List<String> examples, double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "preprocess: %d rows, %d tokens in %d shard(s) -> %s (%.1f s)%n",
                m.totalRows(), m.tokenStats().tokens(), m.shards().size(), output, seconds));
        appendRows(sb, m, rows, needed, maxLength);
        appendRejects(sb, output, rejects);
        appendContamination(sb, output, m.contamination(), examples);
        return sb.toString();
    }

    /** The per dataset and split table with its total and legend, then the unanswerable questions kept. */
    private static void appendRows(StringBuilder sb, Manifest m, Map<String, long[]> rows,
                                   Map<String, TokenStats> needed, int maxLength) {
        sb.append(String.format(Locale.ROOT, "%-10s %-8s %9s %11s %8s %10s %9s %7s %15s%n", "dataset", "split", "rows",
                "tokens", "mean", "truncated", "rejected", "kept", "max_length p99"));
        rows.forEach((k, v) -> {
            String[] ds = k.split("\t", 2);
            long all = v[Tally.ROWS] + v[Tally.REJECTED];
            TokenStats t = needed.get(k);
            int p99 = t == null ? 0 : t.percentile(KEEP_PERCENT);
            sb.append(String.format(Locale.ROOT, "%-10s %-8s %9d %11d %8.1f %10d %9d %6.1f%% %15s%n", ds[0],
                    ds[1].isEmpty() ? "-" : ds[1], v[Tally.ROWS], v[Tally.TOKENS],
                    v[Tally.ROWS] == 0 ? 0.0 : (double) v[Tally.TOKENS] / v[Tally.ROWS], v[Tally.TRUNCATED],
                    v[Tally.REJECTED], all == 0 ? 0.0 : 100.0 * v[Tally.ROWS] / all,
                    p99 == 0 ? "-" : p99 + (p99 > maxLength ? " (raise)" : "")));
        });
        sb.append(String.format(Locale.ROOT, "%-10s %-8s %9d %11d %8.1f   p50 %d, p99 %d, max %d%n", "total", "",
                m.totalRows(), m.tokenStats().tokens(), m.tokenStats().mean(), m.tokenStats().p50(),
                m.tokenStats().p99(), m.tokenStats().max()));
        sb.append(String.format(Locale.ROOT, "  kept: rows / (rows + rejected); max_length p99: the data.max_length "
                + "(now %d) at which 99%% of the split's examples fit uncut (no SQuAD context cut); split '-': "
                + "rejects read before a split was known%n", maxLength));
        rows.forEach((k, v) -> {
            if (v[Tally.NO_ANSWER] > 0) {
                String[] ds = k.split("\t", 2);
                sb.append(String.format(Locale.ROOT, "  %s %s: %d unanswerable SQuAD v2.0 question(s) kept with "
                        + "no_answer (empty target; scored the v2.0 way)%n", ds[0], ds[1], v[Tally.NO_ANSWER]));
            }
        });
    }

    /** The records kept out, by reason and dataset, or that there were none. */
    private static void appendRejects(StringBuilder sb, String output, Map<String, Long> rejects) {
        if (rejects.isEmpty()) {
            sb.append("rejected: none\n");
        } else {
            sb.append(String.format(Locale.ROOT, "rejected (details in %s/_rejects):%n", output));
            sb.append(String.format(Locale.ROOT, "  %-22s %-10s %9s%n", "reason", "dataset", "records"));
            rejects.forEach((k, v) -> {
                String[] rd = k.split("\t", 2);
                sb.append(String.format(Locale.ROOT, "  %-22s %-10s %9d%n", rd[0], rd[1], v));
            });
        }
    }

    /** What the contamination check found, how complete it was, and a few example pairs; or that it was off. */
    private static void appendContamination(StringBuilder sb, String output, Manifest.Contamination c,
                                            List<String> examples) {
        if (c == null) {
            sb.append("contamination: not checked (data.contamination_check: false)\n");
        } else {
            // Manifests before issue 20 have no method: their MinHash check could miss pairs.
            String how = Manifest.Contamination.ALL_PAIRS.equals(c.method())
                    ? String.format(Locale.ROOT, "every training x evaluation pair compared, %d", c.comparedPairs())
                    : Manifest.Contamination.PREFIX_FILTER.equals(c.method())
                    ? String.format(Locale.ROOT, "prefix filtering, complete: %d candidate pairs compared, the largest "
                            + "bucket %d ('%s')", c.comparedPairs(), c.largestBucketPairs(), c.largestBucket())
                    : "MinHash, before issue 20 (may have missed pairs)";
            sb.append(String.format(Locale.ROOT, "contamination (Jaccard >= %.2f over %d-word shingles; %s): %d pair(s), "
                            + "%d training example(s), %d removed%s%n", c.threshold(), c.shingleWords(), how, c.pairs(),
                    c.trainExamples(), c.removed(), c.pairs() > 0 ? " (all pairs in " + output + "/_contamination)" : ""));
            c.pairsByDatasets().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-34s %9d%n", k, v)));
            examples.forEach(e -> sb.append("  e.g. ").append(e).append('\n'));
        }
    }
}
