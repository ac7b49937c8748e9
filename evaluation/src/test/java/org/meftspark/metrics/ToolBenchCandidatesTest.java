package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.meftspark.data.Dataset;

/** Lines that cannot be split safely are matched against the query's own candidate APIs (issue 18, item 6). */
class ToolBenchCandidatesTest {
    private static final List<String> CANDIDATES = List.of("Acme, Inc.\tgetQuote", "Acme, Inc.\tgetNews",
            "Weather\tget: forecast", "Weather\tget");

    @Test
    void commasAndColonsInNamesAreResolvedAgainstTheCandidates() {
        assertThat(ToolCallParser.parseLine("1. Acme, Inc., getQuote", CANDIDATES))
                .hasValue(new ApiPair("acme, inc.", "getquote"));
        assertThat(ToolCallParser.parseLine("- \"Acme, Inc.\", \"getNews\"", CANDIDATES))
                .hasValue(new ApiPair("acme, inc.", "getnews"));
        assertThat(ToolCallParser.parseLine("Weather, get: forecast", CANDIDATES))
                .hasValue(new ApiPair("weather", "get: forecast"));
        // The candidate list's own form, "tool, api: description", is the api it starts with.
        assertThat(ToolCallParser.parseLine("Acme, Inc., getQuote: returns a quote", CANDIDATES))
                .hasValue(new ApiPair("acme, inc.", "getquote"));
        // No candidate, or a prefix shared by several: unparsable, never a guess.
        assertThat(ToolCallParser.parseLine("Acme, Inc., getWeather", CANDIDATES)).isEmpty();
        assertThat(ToolCallParser.parseLine("Acme, Inc., get", List.of("Acme, Inc.\tget, a", "Acme, Inc.\tget, b")))
                .isEmpty();
        // Without candidates the first comma splits, as before.
        assertThat(ToolCallParser.parseLine("Acme, Inc., getQuote")).hasValue(new ApiPair("acme", "inc."));
    }

    @Test
    void aWrongApiNoLongerScoresIouOne() {
        Golds golds = new Golds(List.of("Weather, get: forecast"), false, CANDIDATES);
        // Cut at ": " the line was "weather, get", the other API; matched against the candidates it is the gold one.
        assertThat(TaskScorer.score(Dataset.TOOLBENCH, "Weather, get: forecast", golds).get(Metric.IOU)).hasValue(1.0);
        assertThat(TaskScorer.score(Dataset.TOOLBENCH, "Weather, get", golds).get(Metric.IOU)).hasValue(0.0);
        Golds acme = new Golds(List.of("Acme, Inc., getQuote"), false, CANDIDATES);
        assertThat(TaskScorer.score(Dataset.TOOLBENCH, "Acme, Inc., getNews", acme).get(Metric.IOU)).hasValue(0.0);
        assertThat(TaskScorer.score(Dataset.TOOLBENCH, "Acme, Inc., getQuote", acme).get(Metric.IOU)).hasValue(1.0);
    }

    @Test
    void questionKeysMatchCaseSpacingAndPunctuationOnly() {
        assertThat(QuestionKey.of("Who wrote  Hamlet?")).isEqualTo(QuestionKey.of("who wrote hamlet"));
        assertThat(QuestionKey.of("Who wrote Hamlet?")).isNotEqualTo(QuestionKey.of("Who wrote Macbeth?"));
        assertThat(QuestionKey.of(null)).isEmpty();
    }
}
