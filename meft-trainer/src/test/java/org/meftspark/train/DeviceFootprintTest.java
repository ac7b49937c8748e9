package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.RunConfig;
import org.meftspark.device.ComputeDevice;
import org.meftspark.model.Decoder;

/** DeviceFootprint predicts, before allocation, exactly what the trainer's ledger records. */
class DeviceFootprintTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "none|",
            "full|",
            "lora|adapter.lora_rank=3",
            "lora|adapter.lora_targets=[q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj]",
            "parallel_adapter|adapter.neurons=40",
            // union cap 8 < 20 tokens x top_k 8: every micro-batch gathers exactly L rows per layer
            "meft|adapter.union_cap=8",
            "meft|adapter.union_cap=8;adapter.freeze_keys=true",
            "meft|adapter.union_cap=8;adapter.routing=exact",
    })
    void predictsTheLedgerPeakOfRealTrainingSteps(String method, String extra) throws Exception {
        RunConfig cfg = TrainerTest.config(method, "training.max_steps=2" + (extra == null ? "" : ";" + extra));
        Decoder decoder = TrainerTest.decoder(ScalarType.Float);
        DeviceFootprint predicted = Adaptations.footprint(cfg.adapter(), decoder.config(), decoder.weights().bytes(), 4);
        Path dir = tmp.resolve(method);
        if (method.equals("none")) {
            // Nothing trains, so the trainer is not run: the base weights are all there is.
            assertThat(predicted.total()).isEqualTo(decoder.weights().bytes());
            return;
        }
        Trainer.train(cfg, decoder, TrainerTest.rows(4, 10), dir, false, TrainingListener.NONE, ComputeDevice.cpu(),
                ScalarType.Float);
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        JsonNode peak = last.get("device_bytes_peak");
        assertThat(peak.get("frozen_weights").asLong()).isEqualTo(predicted.frozenWeights());
        assertThat(peak.get("trainable_params").asLong()).isEqualTo(predicted.trainable());
        assertThat(peak.get("gradients").asLong()).isEqualTo(predicted.gradients());
        assertThat(peak.get("optimizer_state").asLong()).isEqualTo(predicted.optimizerState());
        assertThat(peak.get("adapter_working_set").asLong()).isEqualTo(predicted.workingSet());
        assertThat(last.get("device_bytes_peak_total").asLong()).isEqualTo(predicted.total());
    }
}
