package org.meftspark.cli;

import org.meftspark.metrics.EvaluationSummary;
import org.meftspark.metrics.MetricsJson;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's main command with a reduced step count (the shared run); then again, reusing stages. */
@Tag("integration")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class QuickstartTest {

    @Test
    void quickstartRunsTheWholePipelineAndASecondRunReusesIt() {
        QuickstartRuns.Shared run = QuickstartRuns.shared();
        String first = run.output();
        assertThat(first).containsPattern("dataset +metric +n +zero_shot +meft");
        for (String dataset : new String[] {"nq_open", "squad", "toolbench", "gsm8k"}) {
            assertThat(first).containsPattern("(?m)^" + dataset + " ");
        }
        assertThat(first).contains("report: ");
        assertThat(run.runDir().resolve("report.html")).isNotEmptyFile();
        assertThat(run.dir().resolve("data/toolbench/G1_query.json")).exists();

        String second = QuickstartRuns.run(run.dir());
        assertThat(second).contains("reused: preprocess, train/meft, evaluate/zero_shot, evaluate/meft");
    }

    /**
     * Issue 15 item 4: the pretrained base, fine-tuned with MEFT on facts it has never seen, answers
     * them in paraphrases the fine-tuning never used better than it does zero-shot.
     */
    @Test
    void meftAnswersHeldOutParaphrasesOfNewFactsBetterThanTheZeroShotBase() {
        QuickstartRuns.Shared run = QuickstartRuns.shared();
        double zeroShot = heldOutEm(run, "zero_shot");
        double meft = heldOutEm(run, "meft");
        assertThat(meft).as("held-out nq_open EM: MEFT %.3f, zero-shot %.3f", meft, zeroShot).isGreaterThan(zeroShot);
        assertThat(zeroShot).as("the base has never seen W1").isLessThanOrEqualTo(0.05);
    }

    private static double heldOutEm(QuickstartRuns.Shared run, String variant) {
        EvaluationSummary s = MetricsJson.read(run.runDir().resolve("variants").resolve(variant).resolve("eval/metrics.json"));
        return s.result("nq_open", "em").orElseThrow().mean();
    }
}
