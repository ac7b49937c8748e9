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
 * (for SQuAD only the context may be cut, in a window that holds the answer).
 *
 * @param id          stable id: {@code dataset:sourceId}, or {@code dataset:sha256(question)[0:16]} when
 *                    the source has no id (so exact duplicate questions share an id and deduplicate)
 * @param dataset     which task dataset
 * @param split       split name given by the caller (e.g. {@code train}, {@code test}, {@code dev})
 * @param fields      prompt fields in the order of {@link Dataset#promptFields()}, all non-blank
 * @param target      the training target text (first gold answer, worked solution, API lines); empty for
 *                    an unanswerable SQuAD v2.0 question (the model learns to answer with EOS alone)
 * @param references  all gold answers (NQ/SQuAD), gold {@code tool_name, api_name} pairs (ToolBench)
 *                    or the gold number (GSM8K); empty exactly when {@code noAnswer}
 * @param source      file and line or index the example was read from
 * @param noAnswer    a SQuAD v2.0 question marked {@code is_impossible}: the right answer is no answer
 * @param answerStart char offset of the first gold answer inside the {@code context} field (SQuAD), so a
 *                    long context can be cut around it; -1 when unknown or not applicable
 * @param candidates  ToolBench: the query's candidate APIs as {@code tool_name + TAB + api_name} (a tab, because
 *                    names hold commas and colons), in list order,
 *                    which lets the scorer read lines whose names contain commas; empty elsewhere
 */
public record Example(String id, Dataset dataset, String split, Map<String, String> fields,
                      String target, List<String> references, SourceLocation source, boolean noAnswer,
                      int answerStart, List<String> candidates)
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
        candidates = List.copyOf(candidates);
        if (!fields.keySet().equals(new java.util.HashSet<>(dataset.promptFields()))) {
            throw new IllegalArgumentException("fields " + fields.keySet() + " do not match " + dataset.promptFields());
        }
        if (noAnswer != references.isEmpty()) {
            throw new IllegalArgumentException(noAnswer ? "an unanswerable question has no references: " + id
                    : "an example needs at least one reference: " + id);
        }
        if (noAnswer && dataset != Dataset.SQUAD) {
            throw new IllegalArgumentException("only SQuAD v2.0 questions can be unanswerable: " + id);
        }
    }

    /** An answerable example with no answer position or candidate list (NQ-open, GSM8K, tests). */
    public Example(String id, Dataset dataset, String split, Map<String, String> fields, String target,
                   List<String> references, SourceLocation source) {
        this(id, dataset, split, fields, target, references, source, false, -1, List.of());
    }

    /** Serialized as {@link ExampleWire}: Spark shuffles and caches millions of these. */
    private Object writeReplace() {
        return new ExampleWire(this);
    }

    /** The same example assigned to another split (the Spark job's hash split). */
    public Example withSplit(String newSplit) {
        return new Example(id, dataset, newSplit, fields, target, references, source, noAnswer, answerStart, candidates);
    }

    /** What the user asks ({@link Dataset#questionField()}): matched by the scorer and shown next to the id. */
    public String question() {
        return fields.get(dataset.questionField());
    }
}
