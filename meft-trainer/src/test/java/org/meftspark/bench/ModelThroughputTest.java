package org.meftspark.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.meftspark.model.ModelConfig;

class ModelThroughputTest {

    @Test
    void flopCountMatchesAHandCount() {
        // d=4, 2 heads of 2, 1 kv head of 2, ffn 6, vocab 10, 1 layer, t=3.
        ModelConfig c = new ModelConfig(ModelConfig.LLAMA, 10, 4, 6, 1, 2, 1, 2, 1e-5, 1e4, 16, false,
                OptionalInt.empty(), 1, List.of(2), "float32");
        double q = 4 * 4, kv = 2 * 4 * 2, o = 4 * 4, ffn = 3 * 4 * 6, attention = 2 * 3 * 4, head = 4 * 10;
        assertThat(ModelThroughput.forwardFlopsPerToken(c, 3)).isEqualTo(2 * (q + kv + o + ffn + attention + head));
    }

    @Test
    void aTinyRunReportsPositiveRatesAndAFullSpread() {
        ModelConfig c = new ModelConfig(ModelConfig.LLAMA, 50, 16, 24, 1, 2, 2, 8, 1e-5, 1e4, 64, true,
                OptionalInt.empty(), 1, List.of(2), "float32");
        ModelThroughput.Result r = ModelThroughput.run(c, 2, 8, 1, 3, 0.05);
        assertThat(r.forwardTokensPerSec()).isPositive();
        assertThat(r.trainTokensPerSec()).isPositive();
        assertThat(r.matmulGflops()).isPositive();
        assertThat(r.matmulSpread()).isBetween(0.0, 1.0);
        assertThat(r.tokensPerStep()).isEqualTo(16);
    }
}
