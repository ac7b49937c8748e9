package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainStateTest {
    @TempDir
    Path tmp;

    /** A state.json as written before TrainState existed (a quickstart run of session 6). */
    static final String EARLIER = """
            {
              "method" : "full",
              "total_steps" : 400,
              "rows" : 594,
              "trainable_parameters" : 1820352,
              "host_bytes" : 0,
              "host_memory_plan" : "no host-resident adapter",
              "seed" : 20240604,
              "device" : "cpu",
              "step" : 300,
              "epoch" : 7,
              "next_row" : 544,
              "bad_streak" : 0,
              "bad_total" : 0,
              "tokens_seen" : 34280,
              "rng" : "stateless: every draw is seeded from run.seed and its (step, micro-batch, layer) position"
            }""";

    /** A checkpoint folder holding {@code stateJson}, with valid checksums so that only the state's content is tested. */
    private Path checkpointWith(String stateJson) throws Exception {
        Path c = Checkpoints.write(tmp.resolve("run"), 1, Map.<String, Tensor>of(), TestStates.state(1, 0, 0), null);
        Files.writeString(c.resolve(Checkpoints.STATE), stateJson);
        Files.writeString(c.resolve(Checkpoints.SUMS), Checkpoints.sha256(c.resolve(Checkpoints.TENSORS)) + "  "
                + Checkpoints.TENSORS + "\n" + Checkpoints.sha256(c.resolve(Checkpoints.STATE)) + "  " + Checkpoints.STATE + "\n");
        return c;
    }

    @Test
    void aCheckpointStateFromBeforeTheRecordReadsBackAndIsWrittenTheSameWay() throws Exception {
        TrainState s = Checkpoints.readState(checkpointWith(EARLIER));
        assertThat(s.run()).isEqualTo(new TrainingRun("full", 400, 594, 1820352, 0, "no host-resident adapter", 20240604,
                "cpu"));
        assertThat(s).isEqualTo(new TrainState(s.run(), 300, 7, 544, 0, 0, 34280));
        Path again = Checkpoints.write(tmp.resolve("again"), 300, Map.of(), s, null);
        assertThat(Files.readString(again.resolve(Checkpoints.STATE)).replace("\r", "")).isEqualTo(EARLIER);
    }

    @Test
    void aStateWithoutItsPositionIsRefusedInsteadOfResumingFromStepZero() throws Exception {
        Path c = checkpointWith(EARLIER.replace("  \"step\" : 300,\n", ""));
        assertThatThrownBy(() -> Checkpoints.readState(c)).hasMessageContaining("step");
    }

    @Test
    void aResumeRefusesTheCheckpointOfAnotherRun() {
        TrainingRun written = TestStates.run(8);
        TrainingRun other = new TrainingRun("meft", 8, 10, 100, 0, "", 1, "cpu");
        assertThatThrownBy(() -> other.requireSameAs(written, Path.of("ckpt")))
                .hasMessageContaining("was written with method = lora, this run has meft");
        new TrainingRun("lora", 8, 10, 999, 5, "other plan", 1, "cuda:0").requireSameAs(written, Path.of("ckpt"));
    }
}
