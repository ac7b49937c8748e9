package org.meftspark.config;

import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * A named group of keys that reads into one record. Unknown keys are errors (a
 * misspelt {@code learnig_rate} must not silently train with the default).
 *
 * @param name  the section's key in the file
 * @param doc   one sentence for the generated reference
 * @param keys  every key the section accepts
 * @param build turns complete, valid values into the section's record
 * @param <T>   the record type
 */
public record Section<T>(String name, String doc, List<Key<?>> keys, Function<Values, T> build) {

    public Section {
        keys = List.copyOf(keys);
        Set<String> seen = new HashSet<>();
        for (Key<?> k : keys) {
            if (!seen.add(k.name())) {
                throw new IllegalArgumentException("key '" + k.name() + "' declared twice in section " + name);
            }
        }
    }

    /** The section with every key at its default; only for sections without required keys. */
    public T defaults() {
        if (keys.stream().anyMatch(Key::required)) {
            throw new IllegalStateException("section " + name + " has required keys and no defaults");
        }
        Map<Key<?>, Object> values = new IdentityHashMap<>();
        keys.forEach(k -> values.put(k, k.defaultValue()));
        return build.apply(new Values(values));
    }

    /** Reads a mapping node; returns null after recording problems. A null node means all defaults. */
    T read(Node node, String path, Problems problems) {
        Map<Key<?>, Object> values = new IdentityHashMap<>();
        keys.forEach(k -> values.put(k, k.defaultValue()));
        if (node == null || isNull(node)) {
            return keys.stream().anyMatch(Key::required) ? missing(node, path, problems) : build.apply(new Values(values));
        }
        if (!(node instanceof MappingNode map)) {
            problems.add(node, path, "expected a mapping with keys " + keyNames());
            return null;
        }
        boolean ok = true;
        Map<String, Node> seen = new java.util.HashMap<>();
        for (NodeTuple t : map.getValue()) {
            String k = Key.scalar(t.getKeyNode(), path, problems, "a key name");
            if (k == null || problems.duplicate(seen, k, t.getKeyNode(), path + "." + k)) {
                ok = false;
                continue;
            }
            Key<?> key = keys.stream().filter(x -> x.name().equals(k)).findFirst().orElse(null);
            String keyPath = path + "." + k;
            if (key == null) {
                problems.add(t.getKeyNode(), keyPath, "unknown key" + suggestion(k) + "; allowed: " + keyNames());
                ok = false;
                continue;
            }
            Object v = key.parse(t.getValueNode(), keyPath, problems);
            if (v == null) {
                ok = false;
            } else {
                values.put(key, v);
            }
        }
        for (Key<?> key : keys) {
            if (values.get(key) == null) {
                problems.add(node, path, "missing required key '" + key.name() + "' (" + key.allowed() + ")");
                ok = false;
            }
        }
        if (!ok) {
            return null;
        }
        try {
            return build.apply(new Values(values));
        } catch (IllegalArgumentException e) {
            // Cross-key rules live in the records' constructors; point at the section.
            problems.add(node, path, e.getMessage());
            return null;
        }
    }

    private T missing(Node node, String path, Problems problems) {
        String names = keys.stream().filter(Key::required).map(Key::name).collect(Collectors.joining(", "));
        if (node == null) {
            problems.add(Origin.DEFAULT, path, "missing; required keys: " + names);
        } else {
            problems.add(node, path, "empty; required keys: " + names);
        }
        return null;
    }

    private String keyNames() {
        return keys.stream().map(Key::name).collect(Collectors.joining(", "));
    }

    private String suggestion(String unknown) {
        return keys.stream().map(Key::name)
                .filter(n -> editDistance(n, unknown) <= Math.max(2, unknown.length() / 4))
                .findFirst().map(n -> " (did you mean '" + n + "'?)").orElse("");
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
