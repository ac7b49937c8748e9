package org.meftspark.notebook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotebookInputsTest {

    @Test
    void theQuickstartsRunIsTheDefaultAndMeftRunDirWins(@TempDir Path root) throws Exception {
        Path quickstart = Files.createDirectories(root.resolve("work/quickstart/runs/quickstart/variants/meft"));
        Path other = Files.createDirectories(root.resolve("elsewhere/variants/lora"));
        assertThat(NotebookInputs.runDir(Map.of(), root)).isEqualTo(quickstart.getParent().getParent());
        assertThat(NotebookInputs.runDir(Map.of("MEFT_RUN_DIR", ""), root)).isEqualTo(quickstart.getParent().getParent());
        assertThat(NotebookInputs.runDir(Map.of("MEFT_RUN_DIR", other.getParent().getParent().toString()), root))
                .isEqualTo(other.getParent().getParent());
    }

    @Test
    void aMissingRunDirectorySaysWhatToDo(@TempDir Path root) {
        assertThatThrownBy(() -> NotebookInputs.runDir(Map.of(), root)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bin/meft quickstart").hasMessageContaining("MEFT_RUN_DIR")
                .hasMessageContaining(root.resolve("work/quickstart/runs/quickstart").toString());
    }

    @Test
    void variantsAreSortedAndPathsFollowTheRunDirectoryLayout(@TempDir Path run) throws Exception {
        Files.createDirectories(run.resolve("variants/meft"));
        Files.createDirectories(run.resolve("variants/lora"));
        Files.writeString(run.resolve("variants/README"), "not a variant");
        assertThat(NotebookInputs.variants(run)).containsExactly("lora", "meft");
        assertThat(NotebookInputs.trainMetrics(run, "meft")).isEqualTo(run.resolve("variants/meft/train/metrics.jsonl"));
        assertThat(NotebookInputs.predictions(run, "meft")).isEqualTo(run.resolve("variants/meft/eval/predictions"));
    }

    @Test
    void aRunWithoutVariantsIsAnError(@TempDir Path run) throws Exception {
        Files.createDirectories(run.resolve("variants"));
        assertThatThrownBy(() -> NotebookInputs.variants(run)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void theCommittedStudysPartsAreTheDefaultAndMeftStudyResultsWins(@TempDir Path root) throws Exception {
        Path study = Files.createDirectories(root.resolve("docs/study"));
        Path a = Files.writeString(study.resolve("results-a.jsonl"), "");
        Path b = Files.writeString(study.resolve("results-b.jsonl"), "");
        Files.writeString(study.resolve("parts.txt"), "# the verdict's parts\nresults-a.jsonl\n\n  results-b.jsonl  # second\n");
        Path mine = Files.writeString(root.resolve("mine.jsonl"), "");
        assertThat(NotebookInputs.studyResults(Map.of(), root)).containsExactly(a, b);
        assertThat(NotebookInputs.studyResults(Map.of("MEFT_STUDY_RESULTS", mine.toString()), root)).containsExactly(mine);
        assertThat(NotebookInputs.studyResults(Map.of("MEFT_STUDY_RESULTS", mine + ":" + a), root)).containsExactly(mine, a);
        assertThatThrownBy(() -> NotebookInputs.studyResults(Map.of("MEFT_STUDY_RESULTS", root.resolve("none").toString()),
                root)).hasMessageContaining("MEFT_STUDY_RESULTS");
        Files.writeString(study.resolve("parts.txt"), "results-a.jsonl\nresults-gone.jsonl\n");
        assertThatThrownBy(() -> NotebookInputs.studyResults(Map.of(), root)).hasMessageContaining("results-gone.jsonl");
    }

    @Test
    void everyPartTheProjectListsIsCommitted() {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        assertThat(NotebookInputs.studyResults(Map.of(), root)).isNotEmpty().allSatisfy(p -> assertThat(p).isRegularFile());
    }
}
