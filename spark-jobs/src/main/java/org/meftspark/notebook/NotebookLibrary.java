package org.meftspark.notebook;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The folder of jars a notebook's first cell adds with {@code %jar}: the Java kernel takes a jar or
 * a folder of jars there, not a class path and not a folder of classes. So each jar of the class path
 * is linked (about 450 MB of Spark, Hadoop and libtorch: linked, not copied) and each classes folder
 * (a module built but not packaged, such as {@code spark-jobs/target/classes} while its tests run) is
 * packed into a jar.
 */
final class NotebookLibrary {

    private NotebookLibrary() {
    }

    /**
     * Replaces {@code lib} with links to the class path's jars and jars of its folders.
     *
     * @return the jar files in {@code lib}
     * @throws IllegalArgumentException when an entry does not exist: a stale class path would fail later with a
     *                                  missing class in some cell
     */
    static List<Path> write(Path lib, List<Path> classpath) throws IOException {
        deleteTree(lib);
        Files.createDirectories(lib);
        List<Path> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path entry : classpath) {
            Path p = entry.toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                out.add(packFolder(p, lib.resolve(unique(names, folderJarName(p)))));
            } else if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar")) {
                out.add(Files.createSymbolicLink(lib.resolve(unique(names, p.getFileName().toString())), p));
            } else {
                throw new IllegalArgumentException("class path entry " + p + " is neither a jar nor a folder; "
                        + "rebuild the project (mvn -DskipTests package)");
            }
        }
        return out;
    }

    /** {@code spark-jobs/target/classes} -> {@code spark-jobs-classes.jar}. */
    static String folderJarName(Path folder) {
        Path parent = folder.getParent();
        boolean mavenOutput = parent != null && parent.getFileName() != null
                && parent.getFileName().toString().equals("target") && parent.getParent() != null;
        String module = mavenOutput ? parent.getParent().getFileName().toString() : "folder";
        return module + "-" + folder.getFileName() + ".jar";
    }

    /** Two jars of one file name from different places (rare, but legal on a class path) both survive. */
    private static String unique(Set<String> names, String name) {
        String n = name;
        for (int i = 2; !names.add(n); i++) {
            n = name.substring(0, name.length() - ".jar".length()) + "-" + i + ".jar";
        }
        return n;
    }

    private static Path packFolder(Path folder, Path jar) throws IOException {
        try (OutputStream os = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(os);
             Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(folder.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Deletes a folder of links and jars; links are removed, never followed. */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
