package org.meftspark.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.meftspark.spark.LaunchEnvironment;

/** The notebooks of the project: every {@code notebooks/*.ipynb}, so a new notebook is tested by being there. */
final class NotebookFiles {

    private NotebookFiles() {
    }

    static List<Path> all() {
        Path dir = LaunchEnvironment.current().root().resolve("notebooks");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
