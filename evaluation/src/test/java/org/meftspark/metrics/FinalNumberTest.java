package org.meftspark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class FinalNumberTest {
    private static String value(String text) {
        return FinalNumber.extract(text).map(f -> f.value().stripTrailingZeros().toPlainString()).orElse("none");
    }

    private static FinalNumber.Source source(String text) {
        return FinalNumber.extract(text).orElseThrow().source();
    }

    @Test
    void hashesWinOverEverythingElse() {
        String s = "She has 3 + 4 = <<3+4=7>>7 apples.\nThe answer is: 9\n#### 1,234\nThen 55 more";
        assertThat(value(s)).isEqualTo("1234");
        assertThat(source(s)).isEqualTo(FinalNumber.Source.HASHES);
        assertThat(value("#### $-5.50")).isEqualTo("-5.5");
        assertThat(value("#### 7\n#### 8")).isEqualTo("8"); // the last #### line
    }

    @Test
    void theAnswerIsFormComesNext() {
        assertThat(value("5 + 6 = 11. The answer is: 11. Check: 22")).isEqualTo("11");
        assertThat(source("The answer is 12")).isEqualTo(FinalNumber.Source.ANSWER_IS);
        assertThat(value("the answer is −3 degrees")).isEqualTo("-3"); // U+2212 minus
    }

    @Test
    void otherwiseTheLastNumberWithCommasNegativesAndDecimals() {
        assertThat(value("It costs 1,000,000 dollars")).isEqualTo("1000000");
        assertThat(value("from 10 to -4.25 degrees.")).isEqualTo("-4.25");
        assertThat(value("he paid 18.")).isEqualTo("18"); // a full stop, not a decimal point
        assertThat(value("about .5 of it")).isEqualTo("0.5");
        assertThat(value("3-2")).isEqualTo("2"); // a hyphen between digits is not a sign
        assertThat(value("5, 6")).isEqualTo("6"); // a comma not followed by three digits separates numbers
        assertThat(value("no digits here")).isEqualTo("none");
        assertThat(source("just 4")).isEqualTo(FinalNumber.Source.LAST_NUMBER);
    }

    @Test
    void goldParsingAndNumericComparison() {
        assertThat(FinalNumber.parseGold("1,450,000")).contains(new BigDecimal("1450000"));
        assertThat(FinalNumber.parseGold("-10")).contains(new BigDecimal("-10"));
        assertThat(FinalNumber.parseGold("$ 5")).contains(new BigDecimal("5"));
        assertThat(FinalNumber.parseGold("five")).isEmpty();
        assertThat(FinalNumber.parseGold("NaN")).isEmpty();
        assertThat(FinalNumber.sameValue(new BigDecimal("18"), new BigDecimal("18.00"))).isTrue();
        assertThat(FinalNumber.sameValue(new BigDecimal("0.1"), new BigDecimal("0.10000000000000001"))).isFalse();
    }
}
