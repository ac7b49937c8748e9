package org.meftspark.jobs.preprocess;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Near-duplicates of evaluation questions, as a contamination check must find them (issue 20 item 3's recall test):
 * word swaps, insertions, deletions and replacements, with case and punctuation changes on top, kept only when the
 * Jaccard similarity of the check's own shingle sets lies in [min, max].
 */
public final class NearDuplicates {
    /** Content words an edit may insert or substitute (none is an English stop word). */
    private static final List<String> FILLERS = List.of("exactly", "really", "originally", "first", "currently",
            "officially", "actually", "famous", "old", "small", "local", "historic", "known", "named", "called");

    private static final Set<String> STOP = ExactContamination.stopWords();

    /** One planted question, the evaluation question it copies, and their similarity. */
    public record Planted(String question, String original, double similarity) {
    }

    private NearDuplicates() {
    }

    /**
     * Up to {@code count} near-duplicates of distinct questions among {@code originals} (tried in a random order),
     * each with Jaccard similarity in [min, max] over {@code shingleWords}-word shingles.
     */
    public static List<Planted> of(List<String> originals, int count, double min, double max, int shingleWords,
                                   long seed) {
        Random rnd = new Random(seed);
        List<String> pool = new ArrayList<>(originals);
        java.util.Collections.shuffle(pool, rnd);
        List<Planted> out = new ArrayList<>();
        for (String original : pool) {
            if (out.size() == count) {
                break;
            }
            Set<String> a = ExactContamination.shingles(original, shingleWords, STOP);
            if (a.isEmpty()) {
                continue;
            }
            // A few tries of one to three edits; the first variant in range is kept.
            for (int attempt = 0; attempt < 20; attempt++) {
                String variant = noise(edit(original, 1 + rnd.nextInt(3), rnd), rnd);
                double s = jaccard(a, ExactContamination.shingles(variant, shingleWords, STOP));
                if (s >= min && s <= max) {
                    out.add(new Planted(variant, original, s));
                    break;
                }
            }
        }
        return out;
    }

    /** Jaccard similarity of two shingle sets, as the check computes it. */
    public static double jaccard(Set<String> a, Set<String> b) {
        Set<String> common = new HashSet<>(a);
        common.retainAll(b);
        return (double) common.size() / (a.size() + b.size() - common.size());
    }

    /** {@code edits} random word edits: swap two neighbours, insert, delete or replace a word. */
    private static String edit(String question, int edits, Random rnd) {
        List<String> words = new ArrayList<>(List.of(question.trim().split("\\s+")));
        for (int e = 0; e < edits && words.size() > 1; e++) {
            int i = rnd.nextInt(words.size());
            String filler = FILLERS.get(rnd.nextInt(FILLERS.size()));
            switch (rnd.nextInt(4)) {
                case 0 -> java.util.Collections.swap(words, i, Math.min(words.size() - 1, i + 1));
                case 1 -> words.add(i, filler);
                case 2 -> words.remove(i);
                default -> words.set(i, filler);
            }
        }
        return String.join(" ", words);
    }

    /** Case and punctuation changes, which the check must see through. */
    private static String noise(String question, Random rnd) {
        String q = switch (rnd.nextInt(3)) {
            case 0 -> question.toUpperCase(Locale.ROOT);
            case 1 -> question.toLowerCase(Locale.ROOT);
            default -> question;
        };
        q = q.replace("?", rnd.nextBoolean() ? " ?!" : "");
        return rnd.nextBoolean() ? q.replace(" ", ", ") : q;
    }
}
