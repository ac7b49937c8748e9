package org.meftspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.meftspark.config.RunConfigLoader;

/** Barrier syncs are bounded by the run's collective timeout unless the configuration says otherwise. */
class SessionSettingsTest {
    @Test
    void theBarrierSyncTimeoutIsTheCollectiveTimeoutUnlessSparkConfSetsIt() {
        var c = RunConfigLoader.parse("training: {collective_timeout_s: 42}\n", "t", List.of());
        assertThat(SparkJobCommand.SessionSettings.of("train", c).conf()).containsEntry("spark.barrier.sync.timeout", "42s");
        var own = RunConfigLoader.parse("training: {collective_timeout_s: 42}\nspark: {conf: {spark.barrier.sync.timeout: 7s}}\n",
                "t", List.of());
        assertThat(SparkJobCommand.SessionSettings.of("train", own).conf()).containsEntry("spark.barrier.sync.timeout", "7s");
    }
}
