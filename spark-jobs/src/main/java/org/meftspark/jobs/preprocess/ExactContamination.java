package org.meftspark.jobs.preprocess;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.ml.feature.StopWordsRemover;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.meftspark.data.HashSplit;

/**
 * The contamination check's definitions (a question's shingle set), and the check itself for inputs small enough
 * to compare every training question with every evaluation question on the driver (issue 20 item 3): complete by
 * construction, free of the seconds of query planning each Spark job costs, and the naive reference that
 * {@link PrefixFilterJoin} is tested against. A question becomes its shingle set (lower-cased, split on
 * {@code (?U)\W+}, MLlib's English stop words out, k-word shingles, a question of fewer than k words one
 * shingle), and a pair is reported when the Jaccard similarity of its sets reaches the threshold.
 */
final class ExactContamination {
    private static final Pattern WORD_GAP = Pattern.compile("(?U)\\W+");

    /** One question: its example's columns and its shingle set. */
    record Question(String id, String dataset, String split, String question, Set<String> shingles) {
    }

    /** The pairs found (rows of {@link ContaminationCheck#PAIRS}) and how many pairs were compared. */
    record Found(List<Row> pairs, long compared) {
    }

    private ExactContamination() {
    }

    /** The question's shingle set, in order of first occurrence (empty: not compared). */
    static Set<String> shingles(String question, int k, Set<String> stopWords) {
        List<String> words = new ArrayList<>();
        // As MLlib's RegexTokenizer did: lower-cases with the JVM's locale, splits on the gaps, keeps tokens of length >= 1.
        for (String w : WORD_GAP.split(question.toLowerCase())) {
            if (!w.isEmpty() && !stopWords.contains(w.toLowerCase(Locale.ROOT))) {
                words.add(w);
            }
        }
        Set<String> out = new LinkedHashSet<>();
        if (k == 1) {
            out.addAll(words);
        } else if (words.size() < k) {
            out.add(String.join(" ", words)); // one shingle (the empty string when every word was a stop word)
        } else {
            for (int i = 0; i + k <= words.size(); i++) {
                out.add(String.join(" ", words.subList(i, i + k)));
            }
        }
        return out;
    }

    /** MLlib's English stop words. */
    static Set<String> stopWords() {
        Set<String> s = new HashSet<>();
        for (String w : StopWordsRemover.loadDefaultStopWords("english")) {
            s.add(w.toLowerCase(Locale.ROOT));
        }
        return s;
    }

    /**
     * Every (training, evaluation) pair at or above {@code threshold}, as rows of {@link ContaminationCheck#PAIRS},
     * each (training id, evaluation id) once.
     */
    static Found pairs(List<Question> questions, double threshold) {
        List<Question> train = new ArrayList<>();
        List<Question> eval = new ArrayList<>();
        for (Question q : questions) {
            if (!q.shingles().isEmpty()) {
                (q.split().equals(HashSplit.TRAIN) ? train : eval).add(q);
            }
        }
        List<Row> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Question a : train) {
            for (Question b : eval) {
                int common = 0;
                for (String s : a.shingles()) {
                    if (b.shingles().contains(s)) {
                        common++;
                    }
                }
                // |A n B| / |A u B|, with the tolerance PrefixFilterJoin uses for rounding.
                double similarity = (double) common / (a.shingles().size() + b.shingles().size() - common);
                if (similarity >= threshold - 1e-12 && seen.add(a.id() + "\u0000" + b.id())) {
                    out.add(RowFactory.create(a.id(), a.dataset(), a.question(), b.id(), b.dataset(), b.split(),
                            b.question(), similarity));
                }
            }
        }
        return new Found(out, (long) train.size() * eval.size());
    }
}
