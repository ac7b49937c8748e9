package org.meftspark.synth;

import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Pronounceable made-up names from a seeded generator: consonant-vowel syllables, so
 * no model can know them beforehand and a byte-level tokenizer sees ordinary text.
 * Every name drawn from one instance is distinct.
 */
final class Names {
    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
        "br", "dr", "kl", "st", "tr", "sh", "th"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ou", "ei"};
    private static final String[] CODAS = {"", "", "", "n", "r", "s", "l", "m", "th"};

    private final Random random;
    private final Set<String> used = new HashSet<>();

    Names(Random random) {
        this.random = random;
    }

    /** A capitalised name of {@code minSyllables}..{@code maxSyllables} syllables, never returned before. */
    String next(int minSyllables, int maxSyllables) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            int n = minSyllables + random.nextInt(maxSyllables - minSyllables + 1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append(ONSETS[random.nextInt(ONSETS.length)]).append(VOWELS[random.nextInt(VOWELS.length)]);
            }
            sb.append(CODAS[random.nextInt(CODAS.length)]);
            String name = Character.toUpperCase(sb.charAt(0)) + sb.substring(1);
            if (used.add(name.toLowerCase(Locale.ROOT))) {
                return name;
            }
        }
        throw new IllegalStateException("name space exhausted: ask for fewer names or more syllables");
    }
}
