package org.meftspark.synth;

import java.util.List;
import org.meftspark.synth.FactWorld.Town;

/**
 * The two disjoint worlds of the pretrained base (issue 15 item 2), drawn from one seeded
 * {@link FactWorld} so that no name occurs in both: the first {@code baseTowns} towns are W0,
 * the world the base is pretrained on; every town after them is W1, whose facts are injected
 * later by fine-tuning and evaluated. W1 grows by appending (the first k W1 towns are the same
 * whatever count is asked for), so the quickstart and every study size share one world.
 *
 * <p>Within W0, the last {@code passageOnlyTowns} towns are stated in passages only and never
 * asked: questions about them measure extraction (the knowledge is the base's, fine-tuning
 * only teaches the task), the analogue of NQ-open on a real pretrained model.
 *
 * @param seed             the world's seed
 * @param baseTowns        towns in W0
 * @param passageOnlyTowns W0 towns the pretraining corpus never asks about (0 to baseTowns - 1)
 */
public record WorldSplit(long seed, int baseTowns, int passageOnlyTowns) {

    public WorldSplit {
        if (baseTowns < 1 || passageOnlyTowns < 0 || passageOnlyTowns >= baseTowns) {
            throw new IllegalArgumentException("a world split needs baseTowns >= 1 and 0 <= passageOnlyTowns < baseTowns, got "
                    + baseTowns + " and " + passageOnlyTowns);
        }
    }

    /** The whole draw with {@code w1Towns} towns of W1 after W0. */
    public FactWorld draw(int w1Towns) {
        return FactWorld.generate(seed, baseTowns + w1Towns);
    }

    /** W0: every town the pretraining corpus states. */
    public List<Town> w0() {
        return draw(0).towns();
    }

    /** W0 towns the corpus states and asks about. */
    public List<Town> w0Asked() {
        return w0().subList(0, baseTowns - passageOnlyTowns);
    }

    /** W0 towns the corpus only states in passages. */
    public List<Town> w0PassageOnly() {
        return w0().subList(baseTowns - passageOnlyTowns, baseTowns);
    }

    /**
     * Towns for the corpus's reading-comprehension passages (SQuAD-style): drawn from another seed and
     * stated in one passage each, nowhere else, so the only way to answer their questions is to copy
     * from the passage. None shares a name (town, founder, river or guild) with W0 or with the first {@value #W1_GUARD} towns of W1
     * (more than the largest study asks for).
     */
    public List<Town> reading(int towns) {
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (Town t : draw(W1_GUARD).towns()) {
            taken.addAll(words(t));
        }
        List<Town> out = new java.util.ArrayList<>();
        for (Town t : FactWorld.generate(seed ^ READING_SALT, 2 * towns + 16).towns()) {
            if (out.size() < towns && java.util.Collections.disjoint(taken, words(t))) {
                out.add(t);
            }
        }
        if (out.size() < towns) {
            throw new IllegalStateException("only " + out.size() + " of " + towns + " reading towns have names of their own");
        }
        return List.copyOf(out);
    }

    /** W1 towns whose names {@link #reading} never reuses. */
    static final int W1_GUARD = 20_000;
    private static final long READING_SALT = 0x5245414449L;

    /** A town's names as whole strings (a founder's first name alone is too short to be a town's own). */
    private static List<String> words(Town t) {
        return List.of(t.name(), t.founder(), t.river(), t.guild());
    }

    /** The first {@code towns} towns of W1: never in the pretraining corpus. */
    public List<Town> w1(int towns) {
        return draw(towns).towns().subList(baseTowns, baseTowns + towns);
    }
}
