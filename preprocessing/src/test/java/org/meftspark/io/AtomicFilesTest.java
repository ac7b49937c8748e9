package org.meftspark.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @Test
    void writesWholeFilesLeavesNoTemporaryAndNamesTheFileOnFailure(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a/b/x.json");
        AtomicFiles.writeString(f, "one", "metrics");
        AtomicFiles.writeString(f, "two", "metrics");
        assertThat(f).hasContent("two");
        try (var s = Files.list(f.getParent())) {
            assertThat(s).containsExactly(f);
        }
        Path file = dir.resolve("plain");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> AtomicFiles.writeString(file.resolve("y.json"), "z", "report"))
                .hasMessageContaining("cannot write report").hasMessageContaining("y.json");
    }
}
