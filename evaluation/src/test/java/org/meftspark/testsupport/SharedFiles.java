package org.meftspark.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates ../shared (public datasets, the Mistral tokenizer); tests skip with a message when absent.
 * The same rule as preprocessing's test helper, which is not published as a test jar.
 */
public final class SharedFiles {
    private SharedFiles() {
    }

    /** The project root: Surefire passes it; a run from the module directory falls back to its parent. */
    public static Path projectRoot() {
        String root = System.getProperty("meft.project.root");
        if (root != null) {
            return Path.of(root).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        return Files.exists(cwd.resolve("pom.xml")) && Files.exists(cwd.getParent().resolve("conf")) ? cwd.getParent() : cwd;
    }

    /** {@code ../shared/<relative>}, or the test is skipped with a message saying what is missing. */
    public static Path require(String relative) {
        Path p = projectRoot().resolve("../shared").resolve(relative).normalize();
        assumeTrue(Files.exists(p), () -> "skipped: " + p + " is absent (real public files live in ../shared; see its README)");
        return p;
    }
}
