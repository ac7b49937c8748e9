package org.meftspark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's main command with a reduced step count (the shared run); then again, reusing stages. */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class QuickstartTest {

    @Test
    void quickstartRunsTheWholePipelineAndASecondRunReusesIt() {
        QuickstartRuns.Shared run = QuickstartRuns.shared();
        String first = run.output();
        for (String dataset : new String[] {"nq_open", "squad", "toolbench", "gsm8k"}) {
            assertThat(first).containsPattern("meft +" + dataset + " ");
        }
        assertThat(first).contains("report: ");
        assertThat(run.runDir().resolve("report.html")).isNotEmptyFile();
        assertThat(run.dir().resolve("data/toolbench/G1_query.json")).exists();

        String second = QuickstartRuns.run(run.dir());
        assertThat(second).contains("reused: preprocess, train/meft, evaluate/meft");
    }
}
