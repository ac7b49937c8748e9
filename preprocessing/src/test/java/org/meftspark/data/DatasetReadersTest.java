package org.meftspark.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadersTest {
    @TempDir
    Path dir;

    @Test
    void missingPathIsAClearErrorNamingTheFile() {
        Path missing = dir.resolve("nope.jsonl");
        assertThatThrownBy(() -> DatasetReaders.open(Dataset.NQ_OPEN, "dev", missing, ReaderOptions.DEFAULTS))
                .isInstanceOf(UnusableInputException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void directoryIsRefusedWithAHint() {
        assertThatThrownBy(() -> DatasetReaders.open(Dataset.NQ_OPEN, DatasetReaders.Format.HF_ARROW, "dev", dir, ReaderOptions.DEFAULTS))
                .isInstanceOf(UnusableInputException.class)
                .hasMessageContaining("data-*.arrow");
    }

    @Test
    void formatFollowsTheExtension() throws Exception {
        Path f = dir.resolve("q.json");
        Files.writeString(f, "[{\"query\": \"q\", \"api_list\": [{\"tool_name\": \"T\", \"api_name\": \"A\"}], \"relevant APIs\": [[\"T\", \"A\"]]}]");
        try (ReadResults r = DatasetReaders.open(Dataset.TOOLBENCH, "train", f, ReaderOptions.DEFAULTS)) {
            assertThat(r.stream().toList()).singleElement().isInstanceOf(Example.class);
        }
        assertThatThrownBy(() -> DatasetReaders.Format.fromFileName("x.csv")).hasMessageContaining("x.csv");
    }
}
