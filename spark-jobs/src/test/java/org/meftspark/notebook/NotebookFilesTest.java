package org.meftspark.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a committed notebook must be for bin/meft-notebook and CI to run it (no Jupyter needed). */
class NotebookFilesTest {

    @Test
    void thereAreNotebooks() {
        assertThat(NotebookFiles.all()).extracting(p -> p.getFileName().toString())
                .contains("training-curves.ipynb", "evaluation-examples.ipynb");
    }

    @Test
    void everyNotebookUsesTheProjectKernelAndAddsItsJarsFirst() throws Exception {
        for (Path p : NotebookFiles.all()) {
            ExecutedNotebook nb = ExecutedNotebook.read(p);
            assertThat(nb.root().path("nbformat").asInt()).as("%s nbformat", p).isEqualTo(4);
            assertThat(nb.root().path("metadata").path("kernelspec").path("name").asText()).as("%s kernel", p)
                    .isEqualTo(KernelSpec.NAME);
            JsonNode first = nb.cells().stream().filter(c -> c.path("cell_type").asText().equals("code")).findFirst()
                    .orElseThrow(() -> new AssertionError(p + " has no code cell"));
            assertThat(ExecutedNotebook.text(first.path("source")).strip()).as("%s first code cell", p)
                    .isEqualTo("%jar \\{System.getenv(\"" + KernelSpec.LIB_VARIABLE + "\")}");
        }
    }

    /** Outputs in the repository would go stale (and PNGs bloat it): CI executes the notebooks instead. */
    @Test
    void committedNotebooksCarryNoOutputs() throws Exception {
        for (Path p : NotebookFiles.all()) {
            List<JsonNode> withOutputs = ExecutedNotebook.read(p).cells().stream()
                    .filter(c -> c.path("outputs").size() > 0 || c.path("execution_count").isInt()).toList();
            assertThat(withOutputs).as("%s: clear its outputs before committing (Jupyter: Clear All Outputs; or "
                    + "jupyter nbconvert --clear-output --inplace %s)", p, p).isEmpty();
        }
    }
}
