package org.meftspark.data;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The normalised example every reader produces (issue 3, item 2).
 *
 * <p>The prompt is kept as named fields rather than one string: the dataset's
 * template ({@code org.meftspark.prompt.PromptTemplate}) turns them into the prompt
 * text, and truncation needs to know which characters belong to which field
 * (for SQuAD only the context may be cut).
 *
 * @param id         stable id: {@code dataset:sourceId}, or {@code dataset:sha256(question)[0:16]} when
 *                   the source has no id (so exact duplicate questions share an id and deduplicate)
 * @param dataset    which task dataset
 * @param split      split name given by the caller (e.g. {@code train}, {@code test}, {@code dev})
 * @param fields     prompt fields in the order of {@link Dataset#promptFields()}, all non-blank
 * @param target     the training target text (first gold answer, worked solution, API lines)
 * @param references all gold answers (NQ/SQuAD), gold {@code tool_name, api_name} pairs (ToolBench)
 *                   or the gold number (GSM8K); never empty
 * @param source     file and line or index the example was read from
 */
public record Example(String id, Dataset dataset, String split, Map<String, String> fields,
                      String target, List<String> references, SourceLocation source)
        implements ReadResult, Serializable {

    /** Validates and copies; fields keep their insertion order. */
    public Example {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(source, "source");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        references = List.copyOf(references);
        if (!fields.keySet().equals(new java.util.HashSet<>(dataset.promptFields()))) {
            throw new IllegalArgumentException("fields " + fields.keySet() + " do not match " + dataset.promptFields());
        }
        if (references.isEmpty()) {
            throw new IllegalArgumentException("an example needs at least one reference: " + id);
        }
    }

    /** Serialized as {@link ExampleWire}: Spark shuffles and caches millions of these. */
    private Object writeReplace() {
        return new ExampleWire(this);
    }

    /** The same example assigned to another split (the Spark job's hash split). */
    public Example withSplit(String newSplit) {
        return new Example(id, dataset, newSplit, fields, target, references, source);
    }
}
