package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected values are the outputs of the official Python {@code normalize_answer} / {@code f1_score}
 * (SQuAD evaluate-v1.1.py; NQ-open orqa eval_utils.py with NFD) on the same strings.
 */
class AnswerMetricsTest {
    private static final AnswerNormalization SQ = AnswerNormalization.SQUAD;
    private static final AnswerNormalization NQ = AnswerNormalization.NQ_OPEN;

    @Test
    void normalisationMatchesTheOfficialScript() {
        assertThat(SQ.normalize("The  Eiffel Tower!")).isEqualTo("eiffel tower");
        assertThat(SQ.normalize("an apple a day")).isEqualTo("apple day");
        assertThat(SQ.normalize("the-end")).isEqualTo("theend"); // punctuation goes before articles
        assertThat(SQ.normalize("U.S.A.")).isEqualTo("usa");
        assertThat(SQ.normalize("A\u00a0dog\tand the cat")).isEqualTo("dog and cat"); // Python split() takes NBSP
        assertThat(SQ.normalize("the_x")).isEqualTo("thex");
        assertThat(SQ.normalize("a1 the2")).isEqualTo("a1 the2"); // digits are word characters
        assertThat(SQ.normalize("Schrödinger's cat")).isEqualTo("schrödingers cat");
        assertThat(SQ.normalize("üthe")).isEqualTo("üthe"); // ü is a letter: no word boundary
        assertThat(SQ.normalize("“curly” quotes")).isEqualTo("“curly” quotes"); // string.punctuation is ASCII only
        assertThat(SQ.normalize("  ...  ")).isEmpty();
    }

    @Test
    void nqOpenAppliesNfdFirstWithPythonWordBoundaries() {
        // NFD splits é into e + U+0301; a combining mark is not a Python word character, so "the" ends there.
        assertThat(NQ.normalize("thé café")).isEqualTo("\u0301 cafe\u0301");
        assertThat(NQ.normalize("Théâtre")).isEqualTo("\u0301 \u0302tre");
        assertThat(SQ.normalize("thé café")).isEqualTo("thé café");
        // Composed and decomposed spellings are equal under NQ-open EM, not under SQuAD EM.
        String composed = "Beyonc\u00e9";
        String decomposed = "Beyonce\u0301";
        assertThat(ExactMatch.score(composed, List.of(decomposed), NQ)).isEqualTo(1.0);
        assertThat(ExactMatch.score(composed, List.of(decomposed), SQ)).isEqualTo(0.0);
    }

    @Test
    void exactMatchTakesTheMaximumOverGolds() {
        List<String> golds = List.of("14 December 1972 UTC", "December 1972");
        assertThat(ExactMatch.score("december, 1972.", golds, NQ)).isEqualTo(1.0);
        assertThat(ExactMatch.score("The December 1972", golds, NQ)).isEqualTo(1.0);
        assertThat(ExactMatch.score("December 1973", golds, NQ)).isEqualTo(0.0);
        assertThat(ExactMatch.score("It was in December 1972", golds, NQ)).isEqualTo(0.0);
    }

    @Test
    void tokenF1MatchesTheOfficialScript() {
        assertThat(TokenF1.score("the cat sat on the mat", List.of("a cat on a mat"), SQ)).isCloseTo(0.8571428571428571, within(1e-12));
        assertThat(TokenF1.score("cat cat", List.of("cat"), SQ)).isCloseTo(2.0 / 3, within(1e-12)); // Counter &: min count
        assertThat(TokenF1.score("Paris France", List.of("nowhere", "paris"), SQ)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(TokenF1.score("", List.of("the"), SQ)).isEqualTo(0.0); // v1.1: no common token is 0
        assertThat(TokenF1.score("Denver Broncos", List.of("Denver Broncos"), SQ)).isEqualTo(1.0);
    }

    @Test
    void containsNeedsWholeNormalisedTokens() {
        List<String> golds = List.of("December 1972");
        assertThat(ContainsAnswer.score("It was in December, 1972.", golds, NQ)).isEqualTo(1.0);
        assertThat(ContainsAnswer.score("1945", List.of("4"), NQ)).isEqualTo(0.0);
        assertThat(ContainsAnswer.score("start", List.of("art"), SQ)).isEqualTo(0.0);
        assertThat(ContainsAnswer.score("the art of war", List.of("art"), SQ)).isEqualTo(1.0);
        // A gold that normalises to nothing would be "contained" everywhere: ignored.
        assertThat(ContainsAnswer.score("anything", List.of("The"), SQ)).isEqualTo(0.0);
    }
}
