package org.meftspark.config;

import java.util.List;

/**
 * Identity and location of a run.
 *
 * @param name human name of the run; also the run directory's last component
 * @param dir  parent directory (any Hadoop path) under which run directories are created
 * @param seed master seed from which every other seed of the run is derived unless set explicitly
 */
public record RunSection(String name, String dir, long seed) {

    /** Run name: letters, digits, '.', '_' and '-' so it is safe as a path component. */
    public static final Key<String> NAME = Key.string("name", "quickstart", "[A-Za-z0-9._-]{1,100}",
            "1 to 100 letters, digits, '.', '_' or '-'", "Name of the run; the run directory is `dir/name`.");
    public static final Key<String> DIR = Key.string("dir", "work/runs", ".+", "a path",
            "Parent directory of run directories; a local path or any Hadoop URI (hdfs://, s3a://).");
    public static final Key<Long> SEED = Key.longInt("seed", 20240604L, 0, Long.MAX_VALUE,
            "Master seed; recorded with every result.");

    public static final Section<RunSection> SECTION = new Section<>("run",
            "What the run is called and where its outputs go.", List.of(NAME, DIR, SEED),
            v -> new RunSection(v.get(NAME), v.get(DIR), v.get(SEED)));
}
