package org.meftspark.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a notebook finds the pipeline's outputs: a run directory as {@code bin/meft run} and the
 * quickstart write it ({@code run.dir/run.name}, see {@code jobs.pipeline.RunDirectory}), on the local
 * file system. Named by {@code MEFT_RUN_DIR}; without it, the quickstart's.
 */
public final class NotebookInputs {
    /** The environment variable naming the run directory. */
    public static final String RUN_DIR_VARIABLE = "MEFT_RUN_DIR";
    /** conf/quickstart.yaml's run.dir/run.name, relative to the project root. */
    static final String QUICKSTART_RUN = "work/quickstart/runs/quickstart";

    private NotebookInputs() {
    }

    /** The run directory of {@code MEFT_RUN_DIR}, else the quickstart's; it must exist. */
    public static Path runDir() {
        return runDir(System.getenv(), Path.of(System.getProperty("meft.project.root", "..")));
    }

    static Path runDir(Map<String, String> env, Path projectRoot) {
        String named = env.get(RUN_DIR_VARIABLE);
        Path dir = named == null || named.isBlank() ? projectRoot.resolve(QUICKSTART_RUN) : Path.of(named);
        dir = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("variants"))) {
            throw new IllegalStateException(dir + " is not a run directory (no variants/ in it): run bin/meft quickstart "
                    + "first, or set " + RUN_DIR_VARIABLE + " to a run directory (run.dir/run.name of a bin/meft run)");
        }
        return dir;
    }

    /** The environment variable naming a study's results.jsonl files (bin/meft study), separated by ':'. */
    public static final String STUDY_RESULTS_VARIABLE = "MEFT_STUDY_RESULTS";
    /**
     * The list of the parts of the study docs/results.md reports, relative to the project root: one
     * results.jsonl per line, relative to the list's folder; '#' starts a comment.
     */
    static final String COMMITTED_STUDY = "docs/study/parts.txt";

    /**
     * The results files of {@code MEFT_STUDY_RESULTS}, else the parts of the study docs/results.md
     * reports (its verdict is drawn from them); each must exist.
     */
    public static List<Path> studyResults() {
        return studyResults(System.getenv(), Path.of(System.getProperty("meft.project.root", "..")));
    }

    static List<Path> studyResults(Map<String, String> env, Path projectRoot) {
        String named = env.get(STUDY_RESULTS_VARIABLE);
        List<Path> files = named == null || named.isBlank() ? committedParts(projectRoot.resolve(COMMITTED_STUDY))
                : Stream.of(named.split(":")).filter(f -> !f.isBlank()).map(Path::of).toList();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(file.toAbsolutePath().normalize() + " is not a study's results.jsonl: set "
                        + STUDY_RESULTS_VARIABLE + " to run.dir/run.name/results.jsonl of a bin/meft study run "
                        + "(several separated by ':')");
            }
        }
        return files.stream().map(f -> f.toAbsolutePath().normalize()).toList();
    }

    private static List<Path> committedParts(Path list) {
        try {
            return Files.readAllLines(list).stream().map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty())
                    .map(l -> list.resolveSibling(l)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the study's list of parts " + list + ": " + e.getMessage(), e);
        }
    }

    /** The variants of a run (one without a sweep), sorted by name. */
    public static List<String> variants(Path runDir) {
        try (Stream<Path> s = Files.list(runDir.resolve("variants"))) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            if (names.isEmpty()) {
                throw new IllegalStateException(runDir.resolve("variants") + " is empty: the run has not trained anything yet");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runDir.resolve("variants"), e);
        }
    }

    /** The trainer's per-step metrics of a variant (absent for a zero-shot variant or before training). */
    public static Path trainMetrics(Path runDir, String variant) {
        return runDir.resolve("variants").resolve(variant).resolve("train/metrics.jsonl");
    }

    /** The evaluation's per-example Parquet of a variant (absent before evaluation). */
    public static Path predictions(Path runDir, String variant) {
        return runDir.resolve("variants").resolve(variant).resolve("eval/predictions");
    }
}
