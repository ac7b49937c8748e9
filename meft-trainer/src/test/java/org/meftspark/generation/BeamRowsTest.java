package org.meftspark.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BeamRowsTest {
    /**
     * A simulated cache whose rows hold each beam's prefix: after every step's copies, every live beam's row holds
     * its parent's prefix, rows stay inside their prompt, and only a parent's second and later descendants are copied.
     */
    @Test
    void everyLiveBeamFindsItsParentsPrefixInItsRowWithOneCopyPerExtraDescendant() {
        int prompts = 3, k = 4, n = prompts * k;
        Random rnd = new Random(11);
        BeamRows rows = new BeamRows(prompts, k);
        List<List<Integer>> cacheRow = new ArrayList<>(); // what each cache row holds: a prefix of tokens
        List<List<Integer>> beamPrefix = new ArrayList<>(); // what each beam should see
        for (int r = 0; r < n; r++) {
            cacheRow.add(new ArrayList<>(List.of(r / k)));
            beamPrefix.add(new ArrayList<>(List.of(r / k)));
        }
        boolean[] wasLive = new boolean[n];
        Arrays.fill(wasLive, true);
        for (int step = 0; step < 40; step++) {
            long[] parent = new long[n];
            boolean[] live = new boolean[n];
            int expectedCopies = 0;
            for (int p = 0; p < prompts; p++) {
                Set<Long> parents = new HashSet<>();
                for (int j = 0; j < k; j++) {
                    int r = p * k + j;
                    long par;
                    do {
                        par = p * k + rnd.nextInt(k);
                    } while (!wasLive[(int) par]);
                    parent[r] = par;
                    live[r] = rnd.nextInt(5) > 0 || j == 0;
                    if (live[r] && !parents.add(par)) {
                        expectedCopies++;
                    }
                }
            }
            BeamRows.Copies c = rows.advance(parent, live);
            assertThat(c.from()).hasSize(expectedCopies);
            Set<Long> from = new HashSet<>();
            Arrays.stream(c.from()).forEach(from::add);
            assertThat(Arrays.stream(c.to()).noneMatch(from::contains)).as("no row is both source and destination").isTrue();
            List<List<Integer>> copied = new ArrayList<>(cacheRow);
            for (int i = 0; i < c.from().length; i++) {
                assertThat(c.from()[i] / k).as("copies stay inside a prompt").isEqualTo(c.to()[i] / k);
                copied.set((int) c.to()[i], cacheRow.get((int) c.from()[i]));
            }
            List<List<Integer>> prefix = new ArrayList<>();
            Set<Integer> used = new HashSet<>();
            for (int r = 0; r < n; r++) {
                int row = rows.row(r);
                assertThat(row / k).isEqualTo(r / k);
                assertThat(used.add(row)).as("one beam per row").isTrue();
                prefix.add(beamPrefix.get((int) parent[r]));
                if (live[r]) {
                    assertThat(copied.get(row)).as("step %d beam %d", step, r).isEqualTo(beamPrefix.get((int) parent[r]));
                }
            }
            // the step's token, written into each row as the decoder appends it
            cacheRow = new ArrayList<>();
            for (int row = 0; row < n; row++) {
                cacheRow.add(null);
            }
            beamPrefix = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                List<Integer> ext = new ArrayList<>(live[r] ? prefix.get(r) : List.of(-1));
                ext.add(100 * step + r);
                beamPrefix.add(ext);
                cacheRow.set(rows.row(r), ext);
            }
            wasLive = live;
        }
    }

    @Test
    void valuesAndCandidatesMoveBetweenBeamAndRowOrder() {
        BeamRows rows = new BeamRows(1, 3);
        rows.advance(new long[] {1, 1, 0}, new boolean[] {true, true, true}); // beam 0 keeps row 1, beam 2 row 0, beam 1 copies into row 2
        assertThat(new int[] {rows.row(0), rows.row(1), rows.row(2)}).containsExactly(1, 2, 0);
        assertThat(rows.byRow(new long[] {10, 11, 12})).containsExactly(12, 10, 11);
        assertThat(rows.byRow(new double[] {0.5, 1.5, 2.5})).containsExactly(2.5, 0.5, 1.5);
        List<TextGenerator.Candidate> byRow = List.of(new TextGenerator.Candidate(0, 7, -1), new TextGenerator.Candidate(1, 3, -2),
                new TextGenerator.Candidate(1, 9, -3), new TextGenerator.Candidate(2, 1, -4));
        assertThat(rows.byBeam(List.of(byRow)).get(0)).containsExactly(new TextGenerator.Candidate(0, 3, -2), new TextGenerator.Candidate(0, 9, -3),
                new TextGenerator.Candidate(1, 1, -4), new TextGenerator.Candidate(2, 7, -1));
    }
}
