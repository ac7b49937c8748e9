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
        DecodingSettings beam = DecodingSettings.from(new EvaluationSection(EvaluationSection.Decoding.BEAM, 4, 100, 16, 1000, 0, 10));
        assertThat(beam.numBeams()).isEqualTo(4);
        assertThat(beam.batchSize()).isEqualTo(16);
        assertThat(beam.label()).isEqualTo("beam4");
        assertThat(beam.of(Dataset.GSM8K).maxNewTokens()).isEqualTo(100); // 256 capped
        assertThat(beam.of(Dataset.NQ_OPEN)).isEqualTo(new DatasetDecoding(List.of("\n"), 32));
        DecodingSettings greedy = DecodingSettings.from(new EvaluationSection(EvaluationSection.Decoding.GREEDY, 4, 256, 8, 0, 0, 10));
        assertThat(greedy.numBeams()).isEqualTo(1);
        assertThat(greedy.label()).isEqualTo("greedy");
        assertThatThrownBy(() -> new DatasetDecoding(List.of(""), 4)).hasMessageContaining("empty");
        assertThatThrownBy(() -> new DecodingSettings(1, 1, 1.0, java.util.Map.of()).of(Dataset.SQUAD)).hasMessageContaining("squad");
    }
}
