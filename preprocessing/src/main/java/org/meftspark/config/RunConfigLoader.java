package org.meftspark.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.common.ScalarStyle;

/**
 * Reads a run configuration from YAML plus {@code section.key=value} overrides.
 *
 * <p>The YAML is only composed into a node tree (never constructed into Java
 * objects), with duplicate keys refused, aliases limited and the size bounded, so
 * a configuration file cannot run code or blow up memory. Every problem found is
 * reported at once, each with file, line and column.
 */
public final class RunConfigLoader {

    /** Configuration files larger than this are refused before parsing. */
    static final int MAX_FILE_BYTES = 1 << 20;

    private RunConfigLoader() {
    }

    /** Reads {@code file}; throws {@link ConfigException} listing every problem. */
    public static RunConfig load(Path file, List<String> overrides) {
        return parse(readText(file), file.toString(), overrides);
    }

    /**
     * The variants of a run: one per {@code run.sweep} entry (its overrides applied after the
     * command line's), or a single variant named after the adapter method when there is no sweep.
     * Every variant is validated; all problems are reported together.
     */
    public static List<RunVariant> variants(String text, String source, List<String> overrides) {
        RunConfig base = parse(text, source, overrides);
        if (base.run().sweep().isEmpty()) {
            return List.of(new RunVariant(base.adapter().method().name().toLowerCase(java.util.Locale.ROOT), base,
                    overrides));
        }
        List<RunVariant> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (RunSection.Variant v : base.run().sweep()) {
            List<String> all = new ArrayList<>(overrides);
            all.addAll(v.set());
            try {
                out.add(new RunVariant(v.name(), parse(text, source, all), all));
            } catch (ConfigException e) {
                e.problems().forEach(p -> problems.add("run.sweep[" + v.name() + "]: " + p));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return List.copyOf(out);
    }

    /** The text of a configuration file: bounded size, strict UTF-8. */
    public static String readText(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(file + ": larger than " + MAX_FILE_BYTES + " bytes; not a run configuration");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file; pass an existing configuration (see conf/)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": not valid UTF-8; save the file as UTF-8");
        }
        return text;
    }

    /** Parses configuration text; {@code source} names it in messages. */
    public static RunConfig parse(String yaml, String source, List<String> overrides) {
        Problems problems = new Problems(source);
        Node root = compose(yaml, source).orElse(null);
        if (root != null && !Section.isNull(root) && !(root instanceof MappingNode)) {
            problems.add(root, "(top level)", "expected a mapping of sections "
                    + RunConfig.SECTIONS.stream().map(Section::name).collect(Collectors.joining(", ")));
            throw new ConfigException(problems.messages());
        }
        MappingNode map = root instanceof MappingNode m ? m : null;
        Map<String, Node> sections = new HashMap<>();
        if (map != null) {
            Map<String, Node> seen = new HashMap<>();
            for (NodeTuple t : map.getValue()) {
                String name = Key.scalar(t.getKeyNode(), "(top level)", problems, "a section name");
                if (name == null || problems.duplicate(seen, name, t.getKeyNode(), name)) continue;
                if (RunConfig.SECTIONS.stream().noneMatch(s -> s.name().equals(name))) {
                    problems.add(t.getKeyNode(), name, "unknown section; allowed: "
                            + RunConfig.SECTIONS.stream().map(Section::name).collect(Collectors.joining(", ")));
                    continue;
                }
                sections.put(name, t.getValueNode());
            }
        }
        for (String override : overrides) {
            applyOverride(override, sections, problems);
        }
        if (root != null) {
            refuseTags(root, "(top level)", problems, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        }
        Object[] parts = new Object[RunConfig.SECTIONS.size()];
        for (int i = 0; i < parts.length; i++) {
            Section<?> s = RunConfig.SECTIONS.get(i);
            parts[i] = s.read(sections.get(s.name()), s.name(), problems);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.messages());
        }
        RunConfig config = new RunConfig((RunSection) parts[0], (DataSection) parts[1], (ModelSection) parts[2],
                (AdapterSection) parts[3], (TrainingSection) parts[4], (EvaluationSection) parts[5],
                (SparkSection) parts[6], (StudySection) parts[7], (PretrainSection) parts[8]);
        List<String> cross = config.crossSectionProblems();
        if (!cross.isEmpty()) {
            throw new ConfigException(cross.stream().map(m -> source + ": " + m).toList());
        }
        return config;
    }

    /** The YAML core schema's tags: what a plain value resolves to, and what {@code !!str 5} may name. */
    private static final java.util.Set<Tag> CORE_TAGS = java.util.Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL,
            Tag.MAP, Tag.SEQ);

    /**
     * Refuses any other tag ({@code !!java.lang.Runtime}, {@code !foo}). The loader only composes a node tree and
     * never constructs objects from tags, so such a tag cannot run code here; it is refused anyway, with its
     * position, so a configuration written for (or copied from) a loader that does construct objects is not
     * silently read as plain text.
     */
    private static void refuseTags(Node node, String path, Problems problems, java.util.Set<Node> seen) {
        if (!seen.add(node)) {
            return; // an alias of a node already checked; "&a [*a]" composes to a cycle
        }
        if (!CORE_TAGS.contains(node.getTag())) {
            problems.add(node, path, "YAML tag " + node.getTag() + " is not allowed; a run configuration holds plain "
                    + "values (meft-spark never constructs objects from YAML)");
        }
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                refuseTags(t.getKeyNode(), path, problems, seen);
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
                refuseTags(t.getValueNode(), path.equals("(top level)") ? key : path + "." + key, problems, seen);
            }
        } else if (node instanceof org.snakeyaml.engine.v2.nodes.SequenceNode q) {
            for (Node item : q.getValue()) {
                refuseTags(item, path, problems, seen);
            }
        }
    }

    private static Optional<Node> compose(String yaml, String source) {
        LoadSettings settings = LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(false)
                .setMaxAliasesForCollections(20).setAllowRecursiveKeys(false).setCodePointLimit(MAX_FILE_BYTES)
                .build();
        try {
            return new Compose(settings).composeString(yaml);
        } catch (YamlEngineException e) {
            // The engine's message already carries "in <source>, line L, column C" and a snippet.
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage().strip());
        }
    }

    /** Applies {@code section.key=value} (value in YAML syntax) over the file's node tree. */
    private static void applyOverride(String override, Map<String, Node> sections, Problems problems) {
        Origin at = new Origin("--set " + override, 0, 0);
        int eq = override.indexOf('=');
        int dot = override.indexOf('.');
        if (eq < 0 || dot < 0 || dot > eq) {
            problems.add(at, override, "expected section.key=value, for example training.learning_rate=3e-4");
            return;
        }
        String section = override.substring(0, dot);
        String key = override.substring(dot + 1, eq);
        if (RunConfig.SECTIONS.stream().noneMatch(s -> s.name().equals(section))) {
            problems.add(at, section, "unknown section; allowed: "
                    + RunConfig.SECTIONS.stream().map(Section::name).collect(Collectors.joining(", ")));
            return;
        }
        Node value = compose(override.substring(eq + 1), "--set " + override)
                .orElse(new ScalarNode(Tag.NULL, "", ScalarStyle.PLAIN));
        refuseTags(value, section + "." + key, problems, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        Node existing = sections.get(section);
        List<NodeTuple> tuples = new ArrayList<>();
        if (existing instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key))) {
                    tuples.add(t);
                }
            }
        } else if (existing != null && !Section.isNull(existing)) {
            problems.add(existing, section, "expected a mapping; cannot apply " + override);
            return;
        }
        tuples.add(new NodeTuple(new ScalarNode(Tag.STR, key, ScalarStyle.PLAIN), value));
        sections.put(section, new MappingNode(Tag.MAP, tuples, org.snakeyaml.engine.v2.common.FlowStyle.BLOCK));
    }
}
