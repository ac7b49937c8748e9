package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ToolCallParserTest {
    private static ApiPair pair(String t, String a) {
        return new ApiPair(t, a);
    }

    @Test
    void toleratesMarkersExtraFieldsCaseSpacingAndDecoration() {
        String noisy = """
                Relevant APIs:
                1. SQUAKE, Checkhealth
                2)  squake ,   PROJECTS , because the user asks for projects
                - Create  Container Tracking, Get Tracking Data: returns tracking data
                * ["Weather (beta)", "`Forecast`"]
                (5) **Mail**, send

                I am not sure about the rest.
                """;
        ToolCallParser.Parsed p = ToolCallParser.parse(noisy);
        assertThat(p.pairs()).containsExactly(
                pair("squake", "checkhealth"), pair("squake", "projects"),
                pair("create container tracking", "get tracking data"),
                pair("weather (beta)", "forecast"), pair("mail", "send"));
        assertThat(p.unparsableLines()).isEqualTo(2); // the header and the closing sentence
    }

    @Test
    void duplicatesCollapseAndBlankFieldsAreUnparsable() {
        ToolCallParser.Parsed p = ToolCallParser.parse("a, b\nA ,B\n, b\na,\n,\n");
        assertThat(p.pairs()).containsExactly(pair("a", "b"));
        assertThat(p.unparsableLines()).isEqualTo(3);
        assertThat(ToolCallParser.parse("").pairs()).isEmpty();
    }

    @Test
    void iouPrecisionRecallAgainstTheGoldSet() {
        Set<String> gold = Set.of("a", "b", "c");
        SetOverlap o = SetOverlap.of(Set.of("a", "b", "x", "y"), gold);
        assertThat(o.iou()).isEqualTo(2.0 / 5);
        assertThat(o.precision()).isEqualTo(2.0 / 4);
        assertThat(o.recall()).isEqualTo(2.0 / 3);
        assertThat(SetOverlap.of(gold, gold)).isEqualTo(new SetOverlap(1, 1, 1));
        assertThat(SetOverlap.of(Set.of(), gold)).isEqualTo(new SetOverlap(0, 0, 0)); // no NaN for an empty prediction
    }
}
