package org.meftspark.generation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.meftspark.generation.TextGenerator.Candidate;

/**
 * Which KV-cache row each beam lives in. Beam search keeps its beams in rank order (beam {@code p*K + j}
 * is prompt p's j-th best), and the beams of one step descend from the last step's in any order;
 * moving the cache rows to follow them copied the whole cache whenever the order changed. Here a
 * beam keeps its parent's row when it is the parent's first descendant, so only a parent's second
 * and later descendants (and no reordering) cost a copy of one row. Rows never move between prompts:
 * prompt p's beams always live in rows {@code p*K .. p*K+K-1}.
 */
final class BeamRows {
    private final int k;
    /** [prompts * K]: the cache row of each beam */
    private int[] rowOf;

    BeamRows(int prompts, int k) {
        this.k = k;
        this.rowOf = new int[prompts * k];
        for (int r = 0; r < rowOf.length; r++) {
            rowOf[r] = r;
        }
    }

    /** Row copies the cache makes: row {@code to[i]} takes row {@code from[i]}; no row is both. */
    record Copies(long[] from, long[] to) {
    }

    /** The cache row of beam {@code beam}. */
    int row(int beam) {
        return rowOf[beam];
    }

    /** Per-beam values laid out by cache row: out[row(r)] = byBeam[r]. */
    long[] byRow(long[] byBeam) {
        long[] out = new long[byBeam.length];
        for (int r = 0; r < byBeam.length; r++) {
            out[rowOf[r]] = byBeam[r];
        }
        return out;
    }

    double[] byRow(double[] byBeam) {
        double[] out = new double[byBeam.length];
        for (int r = 0; r < byBeam.length; r++) {
            out[rowOf[r]] = byBeam[r];
        }
        return out;
    }

    /**
     * Each prompt's candidates found per cache row, relabelled by beam and put in beam then token order (what a
     * scan over the beams in rank order would list, which the first-of-equals ranking relies on).
     */
    List<List<Candidate>> byBeam(List<List<Candidate>> byRow) {
        int[] beamOf = new int[rowOf.length];
        for (int r = 0; r < rowOf.length; r++) {
            beamOf[rowOf[r]] = r;
        }
        List<List<Candidate>> out = new ArrayList<>(byRow.size());
        for (List<Candidate> prompt : byRow) {
            List<Candidate> relabelled = new ArrayList<>(prompt.size());
            for (Candidate c : prompt) {
                relabelled.add(new Candidate(beamOf[c.row()], c.token(), c.logProb()));
            }
            relabelled.sort(Comparator.comparingInt(Candidate::row)); // stable: tokens stay in order within a beam
            out.add(relabelled);
        }
        return out;
    }

    /**
     * Moves to the next step's beams: beam r continues beam {@code parent[r]} of the same prompt where
     * {@code live[r]}; a beam that is not live (finished prompt, or fewer continuations than beams)
     * takes any free row of its prompt, whose content it never reads. Returns the copies that make
     * every live beam's row hold its parent's prefix.
     */
    Copies advance(long[] parent, boolean[] live) {
        int n = rowOf.length;
        int[] next = new int[n];
        boolean[] taken = new boolean[n];
        List<Integer> copied = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            next[r] = -1;
            if (live[r]) {
                int from = rowOf[(int) parent[r]];
                if (!taken[from]) {
                    next[r] = from;
                    taken[from] = true;
                } else {
                    copied.add(r);
                }
            }
        }
        long[] from = new long[copied.size()], to = new long[copied.size()];
        for (int i = 0; i < copied.size(); i++) {
            int r = copied.get(i);
            next[r] = freeRow(taken, r / k);
            from[i] = rowOf[(int) parent[r]];
            to[i] = next[r];
        }
        for (int r = 0; r < n; r++) {
            if (next[r] < 0) {
                next[r] = freeRow(taken, r / k);
            }
        }
        rowOf = next;
        return new Copies(from, to);
    }

    private int freeRow(boolean[] taken, int prompt) {
        for (int row = prompt * k; row < (prompt + 1) * k; row++) {
            if (!taken[row]) {
                taken[row] = true;
                return row;
            }
        }
        throw new IllegalStateException("prompt " + prompt + " has more beams than rows");
    }
}
