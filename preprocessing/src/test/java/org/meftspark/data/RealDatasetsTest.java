package org.meftspark.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.meftspark.testing.SharedFiles;

/** Every record of each real public file is read, and the counts match ../shared/datasets/README.md. */
class RealDatasetsTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource({
            "gsm8k, datasets/gsm8k/train.jsonl, 7473",
            "gsm8k, datasets/gsm8k/test.jsonl, 1319",
            "nq_open, datasets/nq_open/NQ-open.dev.jsonl, 3610",
            "squad, datasets/squad/squad-v1.1-dev-subset.json, 501",
            "toolbench, datasets/toolbench/G1_query.json, 5",
            "toolbench, datasets/toolbench/G2_query.json, 3",
    })
    void everyRecordIsReadAndValid(String dataset, String file, int expected) {
        Path path = SharedFiles.require(file);
        Dataset d = Dataset.fromKey(dataset);
        List<ReadResult> results;
        try (ReadResults r = DatasetReaders.open(d, "test", path, ReaderOptions.DEFAULTS)) {
            results = r.stream().toList();
        }
        assertThat(results).filteredOn(r -> r instanceof Rejection).isEmpty();
        assertThat(results).hasSize(expected);
        List<Example> examples = results.stream().map(Example.class::cast).toList();
        assertThat(examples).allSatisfy(e -> {
            assertThat(e.dataset()).isEqualTo(d);
            assertThat(e.references()).isNotEmpty();
            assertThat(e.target()).isNotBlank();
        });
        if (d == Dataset.GSM8K) {
            assertThat(examples).allSatisfy(e -> assertThat(e.references().get(0)).matches("-?[0-9.]+"));
        }
        if (d == Dataset.SQUAD) {
            // SQuAD ids come from the source and are unique.
            assertThat(new HashSet<>(examples.stream().map(Example::id).toList())).hasSize(expected);
        }
    }
}
