package org.meftspark.jobs.preprocess;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.Reject;
import org.meftspark.jobs.input.RejectPolicy;
import org.meftspark.shard.ShardPlan;
import org.meftspark.shard.TokenStats;
import org.meftspark.tokenize.TokenizedExample;

/**
 * What one Spark job over the tokenized records counts: the shard plan's input, the summary table's
 * counts, the rejects by reason, and the rejects themselves when there are few. It is the job that
 * runs read, dedup and tokenize (one stage after the dedup shuffle), so on the common input, with a
 * handful of rejects, the whole job needs this pass, the shard shuffle and nothing else: a separate
 * count, a count by reason and a sort of the rejects each cost a Spark job of 0.05 to 0.15 s
 * (docs/benchmarks.md, "Preprocessing").
 *
 * @param byPartition    rows and tokens per (partition, split), for {@link ShardPlan}
 * @param byDatasetSplit per "dataset\tsplit" (split empty for rejects of records with none): {rows, tokens, rows
 *                       whose prompt was truncated, unanswerable (SQuAD v2.0) rows, rejects, rejects that count
 *                       against data.max_reject_fraction (not duplicates, not removed contamination)}
 * @param needed         per "dataset\tsplit": the uncut length of every kept row and every length reject, for the
 *                       suggested max_length
 * @param rejectCounts   per "reason\tdataset": rejected records
 * @param rejects        every reject, when {@code allRejects}; otherwise some of them
 * @param allRejects     whether no partition had more rejects than it was allowed to return
 */
record Tally(List<ShardPlan.PartitionTokens> byPartition, Map<String, long[]> byDatasetSplit,
             Map<String, TokenStats> needed, Map<String, Long> rejectCounts, List<Reject> rejects, boolean allRejects)
        implements java.io.Serializable {
    /** Entries of a {@link #byDatasetSplit} value. */
    static final int ROWS = 0;
    static final int TOKENS = 1;
    static final int TRUNCATED = 2;
    static final int NO_ANSWER = 3;
    static final int REJECTED = 4;
    static final int COUNTED = 5;
    private static final int WIDTH = 6;

    /** Rejected records in all. */
    long rejected() {
        return rejectCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Counts {@code records} in one job.
     *
     * @param rejectsPerPartition how many rejects a partition returns to the driver at most; a partition
     *                            with more returns none of them, and the tally says not all came back
     */
    static Tally of(JavaRDD<Outcome<TokenizedExample>> records, int rejectsPerPartition) {
        List<Tally> parts = records.mapPartitionsWithIndex(
                (p, it) -> List.of(ofPartition(p, it, rejectsPerPartition)).iterator(), false).collect();
        return merge(parts);
    }

    /** Counts one partition's records, in its task: the rejects are kept while at most {@code rejectsPerPartition}. */
    private static Tally ofPartition(int p, Iterator<Outcome<TokenizedExample>> it, int rejectsPerPartition) {
        Map<String, long[]> bySplit = new HashMap<>();
        Map<String, long[]> byDatasetSplit = new HashMap<>();
        Map<String, TokenStats> needed = new HashMap<>();
        Map<String, Long> rejectCounts = new HashMap<>();
        List<Reject> rejects = new ArrayList<>();
        boolean all = true;
        while (it.hasNext()) {
            Outcome<TokenizedExample> o = it.next();
            if (!o.isOk()) {
                Reject r = o.reject();
                rejectCounts.merge(r.reason() + "\t" + r.dataset(), 1L, Long::sum);
                long[] d = byDatasetSplit.computeIfAbsent(r.dataset() + "\t" + r.split(), s -> new long[WIDTH]);
                d[REJECTED]++;
                d[COUNTED] += RejectPolicy.counts(r.reason()) ? 1 : 0;
                if (r.tokens() > 0) {
                    needed.computeIfAbsent(r.dataset() + "\t" + r.split(), s -> new TokenStats()).add(r.tokens());
                }
                if (all && rejects.size() < rejectsPerPartition) {
                    rejects.add(r);
                } else if (all) {
                    all = false;
                    rejects.clear(); // the driver will not use a partial list: free it now
                }
                continue;
            }
            TokenizedExample e = o.value();
            long[] t = bySplit.computeIfAbsent(e.split(), s -> new long[2]);
            t[0]++;
            t[1] += e.inputIds().length;
            long[] d = byDatasetSplit.computeIfAbsent(e.dataset() + "\t" + e.split(), s -> new long[WIDTH]);
            d[ROWS]++;
            d[TOKENS] += e.inputIds().length;
            d[TRUNCATED] += e.truncatedTokens() > 0 ? 1 : 0;
            d[NO_ANSWER] += e.noAnswer() ? 1 : 0;
            needed.computeIfAbsent(e.dataset() + "\t" + e.split(), s -> new TokenStats())
                    .add(e.inputIds().length + e.truncatedTokens());
        }
        List<ShardPlan.PartitionTokens> out = new ArrayList<>();
        bySplit.forEach((s, t) -> out.add(new ShardPlan.PartitionTokens(p, s, t[0], t[1])));
        return new Tally(out, byDatasetSplit, needed, rejectCounts, rejects, all);
    }

    /** Sums the partitions' tallies on the driver, in sorted maps; the rejects only if every partition sent all. */
    private static Tally merge(List<Tally> parts) {
        List<ShardPlan.PartitionTokens> byPartition = new ArrayList<>();
        Map<String, long[]> byDatasetSplit = new TreeMap<>();
        Map<String, TokenStats> needed = new TreeMap<>();
        Map<String, Long> rejectCounts = new TreeMap<>();
        List<Reject> rejects = new ArrayList<>();
        boolean all = true;
        for (Tally t : parts) {
            byPartition.addAll(t.byPartition());
            t.byDatasetSplit().forEach((k, v) -> byDatasetSplit.merge(k, v.clone(), (a, b) -> {
                for (int i = 0; i < a.length; i++) {
                    a[i] += b[i];
                }
                return a;
            }));
            t.needed().forEach((k, v) -> needed.merge(k, v, TokenStats::merge));
            t.rejectCounts().forEach((k, v) -> rejectCounts.merge(k, v, Long::sum));
            rejects.addAll(t.rejects());
            all &= t.allRejects();
        }
        return new Tally(byPartition, byDatasetSplit, needed, rejectCounts, all ? rejects : List.of(), all);
    }
}
