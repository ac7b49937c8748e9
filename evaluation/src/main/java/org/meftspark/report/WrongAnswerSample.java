package org.meftspark.report;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.meftspark.hash.Sha256;

/**
 * A seeded sample of wrong predictions for the report: per dataset, the {@code perDataset} wrong
 * rows whose {@code hash(seed, id)} is smallest (a bottom-k sample). The choice depends only on the
 * seed and the ids, never on partitioning or arrival order, so a Spark job that adds rows per
 * partition and merges ({@code treeAggregate}) picks the same rows as a single loop, and a rerun
 * shows the same examples. Memory is bounded by {@code perDataset} per dataset. Not thread-safe.
 */
public final class WrongAnswerSample implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Largest hash first, so the head is the one to drop when a smaller one arrives. */
    private static final Comparator<Keyed> LARGEST_FIRST = new LargestFirst();

    /** A class, not a lambda: the queues holding it are serialized between Spark tasks and the driver. */
    private static final class LargestFirst implements Comparator<Keyed>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Keyed a, Keyed b) {
            int c = Long.compare(b.key(), a.key());
            return c != 0 ? c : b.example().id().compareTo(a.example().id());
        }
    }

    private final long seed;
    private final int perDataset;
    private final TreeMap<String, PriorityQueue<Keyed>> byDataset = new TreeMap<>();

    private record Keyed(long key, ReportExample example) implements Serializable {
    }

    /**
     * @param seed       the run's seed
     * @param perDataset most examples kept per dataset (0 keeps none)
     */
    public WrongAnswerSample(long seed, int perDataset) {
        if (perDataset < 0) {
            throw new IllegalArgumentException("perDataset must be >= 0: " + perDataset);
        }
        this.seed = seed;
        this.perDataset = perDataset;
    }

    /** Offers one wrong prediction; kept when it is among the dataset's smallest hashes so far. */
    public WrongAnswerSample add(ReportExample e) {
        if (perDataset == 0) {
            return this;
        }
        offer(new Keyed(seededKey(seed, e.id()), e));
        return this;
    }

    /** Combines the rows another instance kept (same seed and size). */
    public WrongAnswerSample merge(WrongAnswerSample other) {
        if (other.seed != seed || other.perDataset != perDataset) {
            throw new IllegalArgumentException("cannot merge samples of different seeds or sizes");
        }
        other.byDataset.values().forEach(q -> q.forEach(this::offer));
        return this;
    }

    /** The sample, by dataset key, each dataset's rows in hash order. */
    public List<ReportExample> examples() {
        List<ReportExample> out = new ArrayList<>();
        byDataset.values().forEach(q -> q.stream().sorted(LARGEST_FIRST.reversed()).map(Keyed::example)
                .forEach(out::add));
        return out;
    }

    private void offer(Keyed k) {
        PriorityQueue<Keyed> q = byDataset.computeIfAbsent(k.example().dataset(), d -> new PriorityQueue<>(LARGEST_FIRST));
        if (q.size() < perDataset) {
            q.add(k);
        } else if (LARGEST_FIRST.compare(k, q.peek()) > 0) {
            // k sorts after the head in largest-first order, i.e. its hash is smaller.
            q.poll();
            q.add(k);
        }
    }

    /**
     * A pseudo-random, non-negative rank of {@code id} under {@code seed}: the order in which seeded
     * samples pick ids (here, and the evaluation job's {@code max_examples}).
     */
    public static long seededKey(long seed, String id) {
        // sha256 rather than String.hashCode: uniform over ids that differ in one character.
        String hex = Sha256.hex((seed + "/" + id).getBytes(StandardCharsets.UTF_8));
        return Long.parseUnsignedLong(hex.substring(0, 15), 16);
    }
}
