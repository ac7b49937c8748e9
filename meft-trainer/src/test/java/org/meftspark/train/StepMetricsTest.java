package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.meft.MeftStepStats;

class StepMetricsTest {
    @TempDir
    Path tmp;

    /** Lines as the trainer wrote them before StepMetrics existed (session 6): a MEFT step and a full fine-tuning step. */
    static final String MEFT_LINE = "{\"step\":1,\"epoch\":0,\"loss\":9.889958110608553,\"lr\":1.5000000000000001E-4,"
            + "\"grad_norm\":1.1802256572696778E-4,\"skipped\":false,\"bad_steps\":0,\"target_tokens\":95,"
            + "\"tokens_per_s\":271.6839457989842,\"step_s\":0.349671011,\"active_set_size\":[2048.0,2048.0,2048.0,2048.0],"
            + "\"cap_hits\":[1,1,1,1],\"neurons_touched\":8192,\"rows_updated\":0,\"retrieval_s\":0.097162758,"
            + "\"transfer_s\":0.021854197,\"host_update_s\":0.0,\"host_update_background_s\":0.0,"
            + "\"compute_s\":0.23065405599999997,\"device_bytes_peak\":{\"frozen_weights\":7281408,\"activations\":0,"
            + "\"adapter_working_set\":25165824,\"trainable_params\":1118208,\"gradients\":1118208,"
            + "\"optimizer_state\":2236416},\"device_bytes_peak_total\":35801856,\"host_bytes\":201654272,"
            + "\"rss_bytes\":1295192064}";
    static final String FULL_LINE = "{\"step\":2,\"epoch\":0,\"loss\":\"NaN\",\"lr\":1.0E-4,\"grad_norm\":\"Infinity\","
            + "\"skipped\":true,\"bad_steps\":1,\"target_tokens\":360,\"tokens_per_s\":865.7793733172405,"
            + "\"step_s\":0.415810322,\"compute_s\":0.415810322,\"device_bytes_peak\":{\"frozen_weights\":0,"
            + "\"activations\":0,\"adapter_working_set\":0,\"trainable_params\":7281408,\"gradients\":7281408,"
            + "\"optimizer_state\":14562816},\"device_bytes_peak_total\":29125632,\"host_bytes\":0,\"rss_bytes\":1273425920}";

    @Test
    void linesOfEarlierRunsReadBackAndWriteAgainByteForByte() {
        StepMetrics meft = StepMetrics.parse(MEFT_LINE).orElseThrow();
        assertThat(meft.meftStats()).get().satisfies(m -> {
            assertThat(m.activeSetSize()).containsExactly(2048.0, 2048.0, 2048.0, 2048.0);
            assertThat(m.capHits()).containsExactly(1L, 1L, 1L, 1L);
            assertThat(m.neuronsTouched()).isEqualTo(8192);
        });
        assertThat(meft.deviceBytesPeak()).containsEntry("adapter_working_set", 25165824L);
        assertThat(meft.toJson()).isEqualTo(MEFT_LINE);

        StepMetrics full = StepMetrics.parse(FULL_LINE).orElseThrow();
        assertThat(full.meftStats()).isEmpty();
        assertThat(full.loss()).isNaN();
        assertThat(full.gradNorm()).isInfinite();
        assertThat(full.toJson()).isEqualTo(FULL_LINE);
    }

    @Test
    void theLogSkipsAndCountsLinesThatAreNotWholeMetricsAndSummarisesTheRest() throws Exception {
        Path f = tmp.resolve(StepMetrics.FILE);
        String third = MEFT_LINE.replace("\"step\":1,", "\"step\":3,").replace("\"step_s\":0.349671011", "\"step_s\":0.5")
                .replace("\"loss\":9.889958110608553", "\"loss\":2.0");
        Files.write(f, List.of(MEFT_LINE, FULL_LINE, "", "[1,2]", "{\"epoch\":1}", third, "{\"step\":4,\"lo"));
        StepMetrics.Log log = StepMetrics.read(f);
        assertThat(log.lines()).isEqualTo(6);
        assertThat(log.skippedLines()).isEqualTo(3);
        assertThat(log.steps()).extracting(StepMetrics::step).containsExactly(1L, 2L, 3L);
        assertThat(log.losses()).containsExactly(9.889958110608553, 2.0); // the skipped NaN step is left out
        assertThat(log.finalLoss()).isEqualTo(2.0);
        assertThat(log.medianStepSeconds()).isEqualTo(0.5); // steps 2 and 3; step 1 carries warm-up
        assertThat(log.targetTokens()).isEqualTo(95 + 360 + 95);
        assertThat(log.peakDeviceBytes()).isEqualTo(35801856L);
        assertThat(log.hostBytes()).isEqualTo(201654272L);
    }

    @Test
    void aNewStepRoundTrips() {
        StepMetrics s = new StepMetrics(7, 1, 0.25, 3e-3, 1.5, false, 0, 40, 80.0, 0.5,
                new MeftStepStats(List.of(10.0), List.of(0L), 12, 3, 0.1, 0.05, 0.02, 0.0), null, 0.33,
                Map.of("activations", 5L), 9, 100, 1000);
        assertThat(StepMetrics.parse(s.toJson())).contains(s);
    }

    @Test
    void aDataParallelStepRoundTripsWithItsExchange() {
        StepMetrics s = new StepMetrics(3, 0, 1.5, 1e-3, 2.0, false, 0, 64, 100.0, 0.64,
                new MeftStepStats(List.of(10.0), List.of(0L), 12, 3, 0.1, 0.05, 0.02, 0.0),
                new org.meftspark.distributed.ExchangeStats(2, 4096, 65536, 0.01), 0.3, Map.of(), 9, 100, 1000);
        String line = s.toJson();
        assertThat(line).contains("\"ranks\":2,\"allreduce_bytes\":4096,\"dense_allreduce_bytes\":65536,\"allreduce_s\":0.01");
        assertThat(StepMetrics.parse(line)).contains(s);
    }
}
