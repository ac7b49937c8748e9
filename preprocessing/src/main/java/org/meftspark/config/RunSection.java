package org.meftspark.config;

import java.util.List;

/**
 * Identity and location of a run.
 *
 * @param name human name of the run; also the run directory's last component
 * @param dir  parent directory (any Hadoop path) under which run directories are created
 * @param seed  master seed from which every other seed of the run is derived unless set explicitly
 * @param sweep variants trained side by side, each with its own overrides; empty means one variant
 */
public record RunSection(String name, String dir, long seed, List<Variant> sweep) implements java.io.Serializable {

    /** Names that are safe as one path component: no separators, never "." or "..". */
    static final String SAFE_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}";
    static final String SAFE_NAME_ALLOWED = "1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /**
     * One variant of a sweep (for example LoRA vs Parallel Adapter vs MEFT, or several N).
     *
     * @param name its run subdirectory, {@code variants/NAME}
     * @param set  {@code section.key=value} overrides applied over the file for this variant
     */
    public record Variant(String name, List<String> set) implements java.io.Serializable {
        public static final Key<String> VARIANT_NAME = Key.requiredString("name", SAFE_NAME, SAFE_NAME_ALLOWED,
                "Variant name; its outputs go to `variants/NAME`.");
        public static final Key<List<String>> SET = Key.stringList("set", List.of(), "[a-z_]+\\.[a-z_]+=.*",
                "section.key=value", "Overrides of this variant, applied over the file (and any --set).");
        public static final Section<Variant> SECTION = new Section<>("variant", "One sweep variant.",
                List.of(VARIANT_NAME, SET), v -> new Variant(v.get(VARIANT_NAME), v.get(SET)));

        public Variant {
            set = List.copyOf(set);
        }
    }

    public static final Key<String> NAME = Key.string("name", "quickstart", SAFE_NAME, SAFE_NAME_ALLOWED,
            "Name of the run; the run directory is `dir/name`.");
    public static final Key<String> DIR = Key.string("dir", "work/runs", ".+", "a path",
            "Parent directory of run directories; a local path or any Hadoop URI (hdfs://, s3a://).");
    public static final Key<Long> SEED = Key.longInt("seed", 20240604L, 0, Long.MAX_VALUE,
            "Master seed; recorded with every result.");

    public static final Key<List<Variant>> SWEEP = Key.sectionList("sweep", Variant.SECTION, 0,
            "Variants trained as parallel tasks, one per GPU or CPU slot; empty trains one variant named after the method.");

    public static final Section<RunSection> SECTION = new Section<>("run",
            "What the run is called, where its outputs go, and the variants of a sweep.", List.of(NAME, DIR, SEED, SWEEP),
            v -> new RunSection(v.get(NAME), v.get(DIR), v.get(SEED), v.get(SWEEP)));

    public RunSection {
        sweep = List.copyOf(sweep);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Variant variant : sweep) {
            if (!names.add(variant.name())) {
                throw new IllegalArgumentException("sweep: variant name '" + variant.name() + "' is used twice");
            }
        }
    }

    /** This run's seed under another directory and name, as one variant (no sweep). */
    public RunSection at(String dir, String name) {
        return new RunSection(name, dir, seed, List.of());
    }
}
