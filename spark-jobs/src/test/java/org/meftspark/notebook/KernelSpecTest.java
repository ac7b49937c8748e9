package org.meftspark.notebook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.spark.LaunchEnvironment;

class KernelSpecTest {

    /** A fake project tree: its own jvm.config and runtime.env, so the test sees they are read, not copied. */
    private static LaunchEnvironment project(Path dir) throws Exception {
        Files.createDirectories(dir.resolve(".mvn"));
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve(".mvn/jvm.config"), "--add-opens=java.base/java.nio=ALL-UNNAMED\n\n-Dx.y=1\n");
        Files.writeString(dir.resolve("conf/runtime.env"), "# comment\nOMP_WAIT_POLICY=PASSIVE\nSPARK_LOCAL_IP=127.0.0.1\n");
        return new LaunchEnvironment(dir);
    }

    private static Path file(Path p, String text) throws Exception {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    @Test
    void kernelJsonRunsTheKernelWithTheProjectsFlagsAndEnvironment(@TempDir Path tmp) throws Exception {
        LaunchEnvironment env = project(tmp.resolve("root"));
        Path kernelJar = file(tmp.resolve("k/rapaio-jupyter-kernel.jar"), "jar");
        Path json = KernelSpec.write(tmp.resolve("spec"), kernelJar, List.of(), env);

        assertThat(json).isEqualTo(tmp.resolve("spec/kernels/meft-java/kernel.json"));
        JsonNode spec = new ObjectMapper().readTree(json.toFile());
        List<String> argv = new ArrayList<>();
        spec.path("argv").forEach(a -> argv.add(a.asText()));
        assertThat(argv.get(0)).endsWith("/bin/java");
        assertThat(argv).containsSubsequence("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Dx.y=1")
                .contains("-Djava.awt.headless=true", "-Dmeft.project.root=" + env.root(),
                        "-Dlog4j2.configurationFile=" + env.root().resolve("conf/notebook-kernel/log4j2.properties"),
                        "-Dmeft.notebook.log=" + tmp.resolve("spec/kernel.log"))
                .doesNotContain("");
        // The folder with logging.properties comes before the kernel jar (it replaces the jar's).
        assertThat(argv.get(argv.indexOf("-cp") + 1))
                .isEqualTo(env.root().resolve("conf/notebook-kernel") + ":" + kernelJar);
        assertThat(argv.subList(argv.size() - 2, argv.size()))
                .containsExactly("org.rapaio.jupyter.kernel.MainApp", "{connection_file}");
        assertThat(spec.path("env").path("OMP_WAIT_POLICY").asText()).isEqualTo("PASSIVE");
        assertThat(spec.path("env").path("SPARK_LOCAL_IP").asText()).isEqualTo("127.0.0.1");
        assertThat(spec.path("env").path(KernelSpec.LIB_VARIABLE).asText()).isEqualTo(tmp.resolve("spec/lib").toString());
        assertThat(spec.path("language").asText()).isEqualTo("java");
    }

    @Test
    void aMissingKernelJarSaysHowToGetIt(@TempDir Path tmp) throws Exception {
        LaunchEnvironment env = project(tmp.resolve("root"));
        assertThatThrownBy(() -> KernelSpec.write(tmp.resolve("spec"), tmp.resolve("absent.jar"), List.of(), env))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent.jar")
                .hasMessageContaining("mvn -DskipTests package");
    }

    @Test
    void libraryLinksJarsAndPacksClassFolders(@TempDir Path tmp) throws Exception {
        Path a = file(tmp.resolve("m2/a/lib-1.0.jar"), "a");
        Path b = file(tmp.resolve("m2/b/lib-1.0.jar"), "b"); // same file name elsewhere
        Path classes = tmp.resolve("spark-jobs/target/classes");
        file(classes.resolve("org/meftspark/X.class"), "x");
        file(classes.resolve("META-INF/services/s"), "s");
        Path lib = tmp.resolve("lib");
        Files.createDirectories(lib);
        Files.writeString(lib.resolve("stale.jar"), "left from an earlier build");

        List<Path> out = NotebookLibrary.write(lib, List.of(a, b, classes));

        assertThat(out).extracting(p -> p.getFileName().toString())
                .containsExactly("lib-1.0.jar", "lib-1.0-2.jar", "spark-jobs-classes.jar");
        assertThat(Files.isSymbolicLink(lib.resolve("lib-1.0.jar"))).isTrue();
        assertThat(Files.readString(lib.resolve("lib-1.0-2.jar"))).isEqualTo("b");
        try (JarFile jar = new JarFile(lib.resolve("spark-jobs-classes.jar").toFile())) {
            assertThat(jar.stream().map(e -> e.getName()).toList())
                    .containsExactlyInAnyOrder("META-INF/services/s", "org/meftspark/X.class");
        }
        assertThat(lib.resolve("stale.jar")).doesNotExist();
        assertThat(a).hasContent("a"); // a link was removed, never its target
        NotebookLibrary.write(lib, List.of(a));
        assertThat(a).hasContent("a");
    }

    @Test
    void aStaleClasspathEntryIsRefused(@TempDir Path tmp) {
        assertThatThrownBy(() -> NotebookLibrary.write(tmp.resolve("lib"), List.of(tmp.resolve("gone.jar"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gone.jar");
    }

    @Test
    void foldersOutsideAMavenTargetGetAPlainName() {
        assertThat(NotebookLibrary.folderJarName(Path.of("/x/evaluation/target/classes"))).isEqualTo("evaluation-classes.jar");
        assertThat(NotebookLibrary.folderJarName(Path.of("/x/out"))).isEqualTo("folder-out.jar");
    }
}
