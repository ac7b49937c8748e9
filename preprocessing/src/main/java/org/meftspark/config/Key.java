package org.meftspark.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * One key of a configuration section: its name, type, allowed values, default and
 * documentation, declared together so the documentation cannot drift from the
 * check. Values are parsed from the YAML node tree (never constructed as Java
 * objects by the YAML library, so a config file cannot instantiate classes).
 *
 * @param <T> the Java type of the value
 */
public final class Key<T> {

    /** Parses one node; returns null after adding a problem. */
    interface Parser<T> {
        T parse(Node node, String path, Problems problems);
    }

    private final String name;
    private final T defaultValue;
    private final String allowed;
    private final String doc;
    private final Parser<T> parser;

    private Key(String name, T defaultValue, String allowed, String doc, Parser<T> parser) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("config key names are snake_case: " + name);
        }
        this.name = name;
        this.defaultValue = defaultValue;
        this.allowed = allowed;
        this.doc = doc;
        this.parser = parser;
    }

    public String name() {
        return name;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** Human-readable description of the allowed values. */
    public String allowed() {
        return allowed;
    }

    public String doc() {
        return doc;
    }

    T parse(Node node, String path, Problems problems) {
        return parser.parse(node, path, problems);
    }

    // ---- factories --------------------------------------------------------------

    /** An integer in [min, max]. */
    public static Key<Integer> integer(String name, int def, int min, int max, String doc) {
        String allowed = "an integer in [" + min + ", " + max + "]";
        checkDefault(name, def >= min && def <= max);
        return new Key<>(name, def, allowed, doc, (node, path, p) -> {
            Long v = parseLong(node, path, p, allowed);
            if (v == null) return null;
            if (v < min || v > max) {
                p.add(node, path, "expected " + allowed + ", got " + v);
                return null;
            }
            return v.intValue();
        });
    }

    /** A long integer in [min, max] (seeds, byte counts). */
    public static Key<Long> longInt(String name, long def, long min, long max, String doc) {
        String allowed = "an integer in [" + min + ", " + max + "]";
        checkDefault(name, def >= min && def <= max);
        return new Key<>(name, def, allowed, doc, (node, path, p) -> {
            Long v = parseLong(node, path, p, allowed);
            if (v == null) return null;
            if (v < min || v > max) {
                p.add(node, path, "expected " + allowed + ", got " + v);
                return null;
            }
            return v;
        });
    }

    /**
     * A finite number in a range; {@code minExclusive} makes the lower bound open
     * (learning rates must be strictly positive, dropout may be zero).
     */
    public static Key<Double> real(String name, double def, double min, boolean minExclusive, double max,
                                   String doc) {
        String allowed = "a number in " + (minExclusive ? "(" : "[") + min + ", " + max + "]";
        checkDefault(name, (minExclusive ? def > min : def >= min) && def <= max);
        return new Key<>(name, def, allowed, doc, (node, path, p) -> {
            String text = scalar(node, path, p, allowed);
            if (text == null) return null;
            double v;
            try {
                v = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                p.add(node, path, "expected " + allowed + ", got '" + text + "'");
                return null;
            }
            if (!Double.isFinite(v) || (minExclusive ? v <= min : v < min) || v > max) {
                p.add(node, path, "expected " + allowed + ", got " + text);
                return null;
            }
            return v;
        });
    }

    /** true or false (YAML 1.2: no yes/no/on/off). */
    public static Key<Boolean> bool(String name, boolean def, String doc) {
        String allowed = "true or false";
        return new Key<>(name, def, allowed, doc, (node, path, p) -> {
            String text = scalar(node, path, p, allowed);
            if (text == null) return null;
            if (text.equals("true")) return true;
            if (text.equals("false")) return false;
            p.add(node, path, "expected " + allowed + ", got '" + text + "'");
            return null;
        });
    }

    /** A string matching {@code pattern}, described by {@code allowed}. */
    public static Key<String> string(String name, String def, String pattern, String allowed, String doc) {
        Pattern re = Pattern.compile(pattern);
        checkDefault(name, def == null || re.matcher(def).matches());
        return new Key<>(name, def, allowed, doc, (node, path, p) -> {
            String text = scalar(node, path, p, allowed);
            if (text == null) return null;
            if (!re.matcher(text).matches()) {
                p.add(node, path, "expected " + allowed + ", got '" + text + "'");
                return null;
            }
            return text;
        });
    }

    /** One of an enum's constants, written in lower case in the file. */
    public static <E extends Enum<E>> Key<E> choice(String name, Class<E> type, E def, String doc) {
        List<String> names = Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        String allowed = "one of " + String.join(", ", names);
        return new Key<>(name, def, allowed, doc, (node, path, p) -> {
            String text = scalar(node, path, p, allowed);
            if (text == null) return null;
            int i = names.indexOf(text);
            if (i < 0) {
                p.add(node, path, "expected " + allowed + ", got '" + text + "'");
                return null;
            }
            return type.getEnumConstants()[i];
        });
    }

    /** A list of strings, each matching {@code itemPattern}. */
    public static Key<List<String>> stringList(String name, List<String> def, String itemPattern,
                                               String allowed, String doc) {
        Pattern re = Pattern.compile(itemPattern);
        checkDefault(name, def.stream().allMatch(s -> re.matcher(s).matches()));
        return new Key<>(name, List.copyOf(def), "a list of " + allowed, doc, (node, path, p) -> {
            if (!(node instanceof SequenceNode seq)) {
                p.add(node, path, "expected a list of " + allowed);
                return null;
            }
            List<String> out = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                String itemPath = path + "[" + i + "]";
                String text = scalar(item, itemPath, p, allowed);
                if (text == null) {
                    ok = false;
                } else if (!re.matcher(text).matches()) {
                    p.add(item, itemPath, "expected " + allowed + ", got '" + text + "'");
                    ok = false;
                } else {
                    out.add(text);
                }
            }
            return ok ? List.copyOf(out) : null;
        });
    }

    /** A mapping of string keys matching {@code keyPattern} to string values. */
    public static Key<Map<String, String>> stringMap(String name, String keyPattern, String allowedKeys,
                                                     String doc) {
        Pattern re = Pattern.compile(keyPattern);
        return new Key<>(name, Map.of(), "a mapping from " + allowedKeys + " to strings", doc, (node, path, p) -> {
            if (!(node instanceof MappingNode map)) {
                p.add(node, path, "expected a mapping from " + allowedKeys + " to strings");
                return null;
            }
            Map<String, String> out = new LinkedHashMap<>();
            Map<String, Node> seen = new java.util.HashMap<>();
            boolean ok = true;
            for (NodeTuple t : map.getValue()) {
                String k = scalar(t.getKeyNode(), path, p, "a string key");
                if (k == null || p.duplicate(seen, k, t.getKeyNode(), path + "." + k)) {
                    ok = false;
                    continue;
                }
                String itemPath = path + "." + k;
                if (!re.matcher(k).matches()) {
                    p.add(t.getKeyNode(), itemPath, "key not allowed here; expected " + allowedKeys);
                    ok = false;
                    continue;
                }
                String v = scalar(t.getValueNode(), itemPath, p, "a string");
                if (v == null) {
                    ok = false;
                } else {
                    out.put(k, v);
                }
            }
            return ok ? Map.copyOf(out) : null;
        });
    }

    /** A list of mappings, each read as one {@link Section} (for example the data inputs). */
    public static <S> Key<List<S>> sectionList(String name, Section<S> item, int minItems, String doc) {
        String allowed = "a list of at least " + minItems + " mappings with keys "
                + item.keys().stream().map(Key::name).collect(Collectors.joining(", "));
        return new Key<>(name, List.of(), allowed, doc, (node, path, p) -> {
            if (!(node instanceof SequenceNode seq)) {
                p.add(node, path, "expected " + allowed);
                return null;
            }
            if (seq.getValue().size() < minItems) {
                p.add(node, path, "expected at least " + minItems + " entries, got " + seq.getValue().size());
                return null;
            }
            List<S> out = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < seq.getValue().size(); i++) {
                S s = item.read(seq.getValue().get(i), path + "[" + i + "]", p);
                if (s == null) {
                    ok = false;
                } else {
                    out.add(s);
                }
            }
            return ok ? List.copyOf(out) : null;
        });
    }

    /** A string that must be given: no default. */
    public static Key<String> requiredString(String name, String pattern, String allowed, String doc) {
        return string(name, null, pattern, allowed, doc);
    }

    /** True when the key has no default and must be written in the file. */
    public boolean required() {
        return defaultValue == null;
    }

    // ---- helpers -------------------------------------------------------------------

    private static void checkDefault(String name, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("default of config key '" + name + "' is outside its own range");
        }
    }

    static String scalar(Node node, String path, Problems p, String allowed) {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        p.add(node, path, "expected " + allowed + ", got a " + (node instanceof SequenceNode ? "list" : "mapping"));
        return null;
    }

    private static Long parseLong(Node node, String path, Problems p, String allowed) {
        String text = scalar(node, path, p, allowed);
        if (text == null) return null;
        try {
            return Long.parseLong(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            p.add(node, path, "expected " + allowed + ", got '" + text + "'");
            return null;
        }
    }
}
