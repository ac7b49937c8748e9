package org.meftspark.jobs.preprocess;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.meftspark.shard.ShardPlan;
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
 * @param byDatasetSplit per "dataset\tsplit": {rows, tokens, rows whose prompt was truncated}
 * @param rejectCounts   per "reason\tdataset": rejected records
 * @param rejects        every reject, when {@code allRejects}; otherwise some of them
 * @param allRejects     whether no partition had more rejects than it was allowed to return
 */
record Tally(List<ShardPlan.PartitionTokens> byPartition, Map<String, long[]> byDatasetSplit,
             Map<String, Long> rejectCounts, List<Reject> rejects, boolean allRejects) implements java.io.Serializable {

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
        List<Tally> parts = records.mapPartitionsWithIndex((p, it) -> {
            Map<String, long[]> bySplit = new HashMap<>();
            Map<String, long[]> byDatasetSplit = new HashMap<>();
            Map<String, Long> rejectCounts = new HashMap<>();
            List<Reject> rejects = new ArrayList<>();
            boolean all = true;
            while (it.hasNext()) {
                Outcome<TokenizedExample> o = it.next();
                if (!o.isOk()) {
                    Reject r = o.reject();
                    rejectCounts.merge(r.reason() + "\t" + r.dataset(), 1L, Long::sum);
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
                long[] d = byDatasetSplit.computeIfAbsent(e.dataset() + "\t" + e.split(), s -> new long[3]);
                d[0]++;
                d[1] += e.inputIds().length;
                d[2] += e.truncatedTokens() > 0 ? 1 : 0;
            }
            List<ShardPlan.PartitionTokens> out = new ArrayList<>();
            bySplit.forEach((s, t) -> out.add(new ShardPlan.PartitionTokens(p, s, t[0], t[1])));
            return List.of(new Tally(out, byDatasetSplit, rejectCounts, rejects, all)).iterator();
        }, false).collect();
        List<ShardPlan.PartitionTokens> byPartition = new ArrayList<>();
        Map<String, long[]> byDatasetSplit = new TreeMap<>();
        Map<String, Long> rejectCounts = new TreeMap<>();
        List<Reject> rejects = new ArrayList<>();
        boolean all = true;
        for (Tally t : parts) {
            byPartition.addAll(t.byPartition());
            t.byDatasetSplit().forEach((k, v) -> byDatasetSplit.merge(k, v,
                    (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]}));
            t.rejectCounts().forEach((k, v) -> rejectCounts.merge(k, v, Long::sum));
            rejects.addAll(t.rejects());
            all &= t.allRejects();
        }
        return new Tally(byPartition, byDatasetSplit, rejectCounts, all ? rejects : List.of(), all);
    }
}
