package org.meftspark.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.meftspark.config.EvaluationSection;
import org.meftspark.data.Dataset;

class DecodingSettingsTest {
    @Test
    void runConfigChoosesBeamsBatchAndCapsEveryDatasetsLength() {
        DecodingSettings beam = DecodingSettings.from(new EvaluationSection(EvaluationSection.Decoding.BEAM, 4, 100, 16, 1000, 0, 10, List.of(), List.of()));
        assertThat(beam.numBeams()).isEqualTo(4);
        assertThat(beam.batchSize()).isEqualTo(16);
        assertThat(beam.label()).isEqualTo("beam4");
        assertThat(beam.of(Dataset.GSM8K).maxNewTokens()).isEqualTo(100); // 256 capped
        assertThat(beam.of(Dataset.NQ_OPEN)).isEqualTo(new DatasetDecoding(List.of("\n"), 32));
        DecodingSettings greedy = DecodingSettings.from(new EvaluationSection(EvaluationSection.Decoding.GREEDY, 4, 256, 8, 0, 0, 10, List.of(), List.of()));
        assertThat(greedy.numBeams()).isEqualTo(1);
        assertThat(greedy.label()).isEqualTo("greedy");
        assertThatThrownBy(() -> new DatasetDecoding(List.of(""), 4)).hasMessageContaining("empty");
        assertThatThrownBy(() -> new DecodingSettings(1, 1, 1.0, java.util.Map.of()).of(Dataset.SQUAD)).hasMessageContaining("squad");
    }

    @Test
    void perDatasetStopStringsAndLengthsComeFromTheRunConfiguration() {
        org.meftspark.config.RunConfig c = org.meftspark.config.RunConfigLoader.parse("""
                evaluation:
                  max_new_tokens: 200
                  per_dataset:
                    - {dataset: gsm8k, max_new_tokens: 300, stop: ["\\n\\n\\n"]}
                    - {dataset: nq_open, max_new_tokens: 8}
                """, "e.yaml", List.of());
        DecodingSettings s = DecodingSettings.from(c.evaluation());
        assertThat(s.of(Dataset.GSM8K)).isEqualTo(new DatasetDecoding(List.of("\n\n\n"), 200)); // capped by max_new_tokens
        assertThat(s.of(Dataset.NQ_OPEN)).isEqualTo(new DatasetDecoding(List.of("\n"), 8));     // default stop kept
        assertThat(s.of(Dataset.SQUAD)).isEqualTo(new DatasetDecoding(List.of("\n"), 32));      // untouched default
        assertThatThrownBy(() -> org.meftspark.config.RunConfigLoader.parse(
                "evaluation:\n  per_dataset:\n    - {dataset: squad}\n    - {dataset: squad}\n", "e.yaml", List.of()))
                .hasMessageContaining("per_dataset: squad is given twice");
    }
}
