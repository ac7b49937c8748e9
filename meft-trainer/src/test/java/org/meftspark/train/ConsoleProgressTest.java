package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What users read while training (issue 16 item 6): loss to 4 significant digits, a short learning rate, ETA. */
class ConsoleProgressTest {

    @Test
    void numbersAreShort() {
        assertThat(ConsoleProgress.fourDigits(3.14669114016415)).isEqualTo("3.147");
        assertThat(ConsoleProgress.fourDigits(0.012345678)).isEqualTo("0.01235");
        assertThat(ConsoleProgress.fourDigits(12.0)).isEqualTo("12");
        assertThat(ConsoleProgress.fourDigits(Double.NaN)).isEqualTo("NaN");
        assertThat(ConsoleProgress.shortNumber(0.003)).isEqualTo("3e-3");
        assertThat(ConsoleProgress.shortNumber(0.0015)).isEqualTo("1.5e-3");
        assertThat(ConsoleProgress.shortNumber(2.5e-4)).isEqualTo("2.5e-4");
        assertThat(ConsoleProgress.shortNumber(0.0)).isEqualTo("0");
    }

    @Test
    void logLinesCarryThePrefixStepTotalLossRateAndEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 2, "train meft: ");
        p.onStart(TestStates.run(4));
        for (int s = 1; s <= 4; s++) {
            p.onStep(TestStates.step(s, 2.718281828 / s, 0.003, 1234.4, 0.5));
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("train meft: step 2/4 loss 1.359 lr 3e-3 tokens/s 1234 eta 0m")
                .contains("train meft: step 4/4 loss 0.6796 lr 3e-3").doesNotContain("step 3/4");
    }
}
