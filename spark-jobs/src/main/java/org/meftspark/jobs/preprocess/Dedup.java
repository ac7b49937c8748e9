package org.meftspark.jobs.preprocess;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.meftspark.data.Example;
import org.meftspark.data.HashSplit;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.Reject;
import org.meftspark.jobs.input.Sourced;
import scala.Tuple2;

/**
 * Keeps one example per id. Ids are the source id or a hash of the question
 * (dataset-formats.md), so equal ids are the same question. Which copy stays:
 * <ol>
 *   <li>a copy in an evaluation split (anything but train) over a training copy: a question
 *       both trained on and evaluated on would inflate the scores;</li>
 *   <li>then the copy from the input listed first in the config;</li>
 *   <li>then the one earliest in its file.</li>
 * </ol>
 * The others become {@code duplicate_id} rejects naming the kept copy. One shuffle both
 * groups equal ids and sorts every partition by id, which makes the job's output order, and
 * hence its shard bytes, the same on every rerun.
 *
 * <p>The readers' rejects travel through the same shuffle, keyed by their source location, and
 * come out unchanged: every record of the job then lives in one RDD from here on, so the read
 * stage need not be cached for a second pass that collects its rejects.
 */
final class Dedup {
    static final String REASON = Reject.DUPLICATE_ID;

    static final Comparator<Sourced> PREFERENCE = Comparator
            .comparingInt((Sourced s) -> s.example().split().equals(HashSplit.TRAIN) ? 1 : 0)
            .thenComparingInt(Sourced::input)
            .thenComparing(s -> s.example().source().file())
            .thenComparingLong(s -> s.example().source().index());

    private Dedup() {
    }

    /**
     * Examples by id: a partition per hash of the id, sorted by id, duplicates rejected; the input's
     * rejects pass through (spread over the partitions by a hash of their source).
     */
    static JavaRDD<Outcome<Example>> apply(JavaRDD<Outcome<Sourced>> read, int partitions) {
        return read.mapToPair(o -> new Tuple2<>(o.isOk() ? o.value().example().id() : o.reject().source(), o))
                .repartitionAndSortWithinPartitions(new HashPartitioner(partitions))
                .mapPartitions(Dedup::adjacent);
    }

    /**
     * Streams a partition sorted by key, holding only one key's records at a time. A reject's key is its
     * source, which could equal some example's id: rejects are passed on as they are, never grouped.
     */
    static Iterator<Outcome<Example>> adjacent(Iterator<Tuple2<String, Outcome<Sourced>>> sorted) {
        return new Iterator<>() {
            private Tuple2<String, Outcome<Sourced>> pending = sorted.hasNext() ? sorted.next() : null;
            private final List<Outcome<Example>> out = new ArrayList<>();

            @Override
            public boolean hasNext() {
                while (out.isEmpty() && pending != null) {
                    List<Sourced> group = new ArrayList<>();
                    String key = pending._1();
                    while (pending != null && pending._1().equals(key)) {
                        Outcome<Sourced> o = pending._2();
                        if (o.isOk()) {
                            group.add(o.value());
                        } else {
                            out.add(Outcome.rejected(o.reject()));
                        }
                        pending = sorted.hasNext() ? sorted.next() : null;
                    }
                    if (group.isEmpty()) {
                        continue;
                    }
                    group.sort(PREFERENCE);
                    Example kept = group.get(0).example();
                    out.add(Outcome.ok(kept));
                    for (Sourced dup : group.subList(1, group.size())) {
                        Example e = dup.example();
                        out.add(Outcome.rejected(new Reject(REASON, "same id as " + kept.source() + " (kept, split "
                                + kept.split() + "): the same question occurs twice; the copy in an evaluation split, "
                                + "else the first input's, is kept", e.source().toString(), e.dataset().key(), e.id(), e.split(), 0)));
                    }
                }
                return !out.isEmpty();
            }

            @Override
            public Outcome<Example> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return out.remove(0);
            }
        };
    }
}
