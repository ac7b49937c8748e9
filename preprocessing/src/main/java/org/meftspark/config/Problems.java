package org.meftspark.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/** Collects configuration problems while a file is read, each with its origin; reported in file order. */
final class Problems {
    private record Problem(Origin origin, String text) {
    }

    private final String source;
    private final List<Problem> problems = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    Origin origin(Node node) {
        Optional<Mark> mark = node.getStartMark();
        return mark.map(m -> new Origin(m.getName(), m.getLine() + 1, m.getColumn() + 1))
                .orElse(new Origin(source, 0, 0));
    }

    void add(Node at, String path, String message) {
        add(origin(at), path, message);
    }

    void add(Origin at, String path, String message) {
        problems.add(new Problem(at, at + ": " + path + ": " + message));
    }

    /**
     * Records a problem when {@code keyNode} names a key already seen in the same
     * mapping (the YAML composer accepts duplicates; a silent last-one-wins would
     * hide an edit).
     */
    boolean duplicate(java.util.Map<String, Node> seen, String key, Node keyNode, String path) {
        Node first = seen.putIfAbsent(key, keyNode);
        if (first != null) {
            add(keyNode, path, "duplicate key (first at line " + origin(first).line() + ")");
            return true;
        }
        return false;
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /** Messages sorted by source, line and column, so they read top to bottom like the file. */
    List<String> messages() {
        return problems.stream().sorted(Comparator.comparing((Problem p) -> p.origin().source())
                        .thenComparingInt(p -> p.origin().line()).thenComparingInt(p -> p.origin().column()))
                .map(Problem::text).toList();
    }
}
