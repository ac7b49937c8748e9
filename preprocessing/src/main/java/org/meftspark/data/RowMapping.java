package org.meftspark.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meftspark.hash.Sha256;

/**
 * The per-dataset column mapping from one generic row to an {@link Example}
 * (docs/dataset-formats.md). Every reader in this package ends here, and the Spark
 * job calls it for Parquet rows it reads itself.
 *
 * <p>A row is a {@code Map<String, ?>} whose values are {@code String}, {@code Number},
 * {@code Boolean}, {@code List} (or {@code Object[]}) and nested {@code Map}, i.e. what
 * Jackson produces for JSON and what a Spark {@code Row} converts to (arrays as
 * {@code java.util.List}, structs as {@code Map}). Wrong types, missing or blank
 * fields give a {@link Rejection}, never an exception.
 */
public final class RowMapping {
    /** GSM8K's final answer line; the last occurrence wins. */
    private static final Pattern GSM8K_GOLD = Pattern.compile("####\\s*([^\\n]*?)\\s*$", Pattern.MULTILINE);

    private RowMapping() {
    }

    /** Maps one row of {@code dataset} to an example or a rejection. */
    public static ReadResult map(Dataset dataset, Map<String, ?> row, String split, SourceLocation where) {
        try {
            return switch (dataset) {
                case NQ_OPEN -> nqOpen(row, split, where);
                case SQUAD -> squad(row, split, where);
                case TOOLBENCH -> toolBench(row, split, where);
                case GSM8K -> gsm8k(row, split, where);
            };
        } catch (BadField e) {
            return new Rejection(e.reason, e.getMessage(), where);
        }
    }

    /** Row {@code {question: string, answer: list<string>}} (JSONL and HF nq_open alike). */
    private static Example nqOpen(Map<String, ?> row, String split, SourceLocation where) {
        String question = requiredText(row, "question");
        List<String> answers = requiredTextList(row, "answer");
        return new Example(contentId(Dataset.NQ_OPEN, question), Dataset.NQ_OPEN, split,
                orderedFields("question", question), answers.get(0), answers, where);
    }

    /**
     * Row in the HF squad layout {@code {id, title?, context, question, answers: {text: [..],
     * answer_start: [..]}}}; the v1.1 JSON layout {@code answers: [{text, answer_start}, ..]}
     * is accepted too, so the streaming JSON reader can pass a question as it is.
     */
    private static Example squad(Map<String, ?> row, String split, SourceLocation where) {
        String context = requiredText(row, "context");
        String question = requiredText(row, "question");
        Object answersValue = require(row, "answers");
        List<String> answers;
        if (answersValue instanceof Map<?, ?> columnar) {
            answers = textList(columnar.get("text"), "answers.text");
        } else {
            List<?> list = asList(answersValue, "answers");
            List<Object> texts = new ArrayList<>(list.size());
            for (Object a : list) {
                if (!(a instanceof Map<?, ?> m)) {
                    throw new BadField(RejectReason.WRONG_TYPE, "answers[] must be objects {text, answer_start}, found " + typeName(a));
                }
                texts.add(m.get("text"));
            }
            answers = textList(texts, "answers[].text");
        }
        Object sourceId = row.get("id");
        String id = sourceId == null ? contentId(Dataset.SQUAD, context + "\n" + question)
                : Dataset.SQUAD.key() + ":" + scalarText(sourceId, "id");
        return new Example(id, Dataset.SQUAD, split,
                orderedFields("context", context, "question", question), answers.get(0), answers, where);
    }

    /**
     * Row {@code {query, query_id?, api_list: [{tool_name, api_name, api_description?, ..}],
     * "relevant APIs": [[tool_name, api_name], ..]}}; {@code relevant_apis} is accepted as the
     * column name too (Parquet exports often rename columns with spaces).
     */
    private static Example toolBench(Map<String, ?> row, String split, SourceLocation where) {
        String query = requiredText(row, "query");
        List<?> apiList = asList(require(row, "api_list"), "api_list");
        if (apiList.isEmpty()) {
            throw new BadField(RejectReason.EMPTY_FIELD, "api_list is empty: a query needs candidate APIs");
        }
        StringBuilder candidates = new StringBuilder();
        for (Object api : apiList) {
            if (!(api instanceof Map<?, ?> m)) {
                throw new BadField(RejectReason.WRONG_TYPE, "api_list[] must be objects, found " + typeName(api));
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> apiRow = (Map<String, ?>) m;
            String tool = requiredText(apiRow, "tool_name");
            String name = requiredText(apiRow, "api_name");
            Object desc = apiRow.get("api_description");
            String description = desc instanceof String s ? s.strip() : "";
            candidates.append("- ").append(tool).append(", ").append(name);
            if (!description.isEmpty()) {
                candidates.append(": ").append(description.replace('\n', ' '));
            }
            candidates.append('\n');
        }
        Object relevantValue = row.containsKey("relevant APIs") ? row.get("relevant APIs") : row.get("relevant_apis");
        if (relevantValue == null) {
            throw new BadField(RejectReason.MISSING_FIELD, "field 'relevant APIs' is missing");
        }
        List<?> relevant = asList(relevantValue, "relevant APIs");
        List<String> pairs = new ArrayList<>(relevant.size());
        for (Object pair : relevant) {
            List<?> p = asList(pair, "relevant APIs[]");
            if (p.size() != 2 || !(p.get(0) instanceof String t) || !(p.get(1) instanceof String a)
                    || t.isBlank() || a.isBlank()) {
                throw new BadField(RejectReason.WRONG_TYPE, "relevant APIs[] must be [tool_name, api_name] pairs of non-blank strings, found " + p);
            }
            pairs.add(t.strip() + ", " + a.strip());
        }
        if (pairs.isEmpty()) {
            throw new BadField(RejectReason.EMPTY_FIELD, "'relevant APIs' is empty: nothing to learn or score");
        }
        // ToolBench query_ids restart at 1 in every group file (G1, G2, ...), so the id
        // pairs the source id with a hash of the query to stay unique across files.
        Object queryId = row.get("query_id");
        String hash = Sha256.hex(query).substring(0, 12);
        String id = Dataset.TOOLBENCH.key() + ":" + (queryId == null ? hash : scalarText(queryId, "query_id") + "-" + hash);
        String text = candidates.toString().stripTrailing();
        return new Example(id, Dataset.TOOLBENCH, split, orderedFields("query", query, "candidates", text),
                String.join("\n", pairs), pairs, where);
    }

    /** Row {@code {question, answer}}; the answer must end with a {@code #### N} line. */
    private static Example gsm8k(Map<String, ?> row, String split, SourceLocation where) {
        String question = requiredText(row, "question");
        String answer = requiredText(row, "answer");
        Matcher m = GSM8K_GOLD.matcher(answer);
        String gold = null;
        while (m.find()) {
            gold = m.group(1);
        }
        // Thousands separators are dropped so "1,000" and "1000" score as the same number.
        gold = gold == null ? "" : gold.replace(",", "").strip();
        if (gold.isEmpty()) {
            throw new BadField(RejectReason.BAD_ANSWER_FORMAT, "answer has no final '#### N' line with a number");
        }
        return new Example(contentId(Dataset.GSM8K, question), Dataset.GSM8K, split,
                orderedFields("question", question), answer, List.of(gold), where);
    }

    private static String contentId(Dataset d, String content) {
        return d.key() + ":" + Sha256.hex(content).substring(0, 16);
    }

    private static Map<String, String> orderedFields(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Object require(Map<String, ?> row, String field) {
        Object v = row.get(field);
        if (v == null) {
            throw new BadField(RejectReason.MISSING_FIELD, "field '" + field + "' is missing or null");
        }
        return v;
    }

    private static String requiredText(Map<String, ?> row, String field) {
        Object v = require(row, field);
        if (!(v instanceof String s)) {
            throw new BadField(RejectReason.WRONG_TYPE, "field '" + field + "' must be a string, found " + typeName(v));
        }
        if (s.isBlank()) {
            throw new BadField(RejectReason.EMPTY_FIELD, "field '" + field + "' is empty");
        }
        return s.strip();
    }

    private static List<String> requiredTextList(Map<String, ?> row, String field) {
        return textList(require(row, field), field);
    }

    /** A list of strings; blank entries are dropped, and at least one must remain. */
    private static List<String> textList(Object v, String field) {
        if (v == null) {
            throw new BadField(RejectReason.MISSING_FIELD, "field '" + field + "' is missing or null");
        }
        List<?> list = asList(v, field);
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new BadField(RejectReason.WRONG_TYPE, "field '" + field + "' must hold strings, found " + typeName(o));
            }
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.isEmpty()) {
            throw new BadField(RejectReason.EMPTY_FIELD, "field '" + field + "' has no non-empty entry");
        }
        return out;
    }

    private static List<?> asList(Object v, String field) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof Object[] a) {
            return java.util.Arrays.asList(a);
        }
        throw new BadField(RejectReason.WRONG_TYPE, "field '" + field + "' must be a list, found " + typeName(v));
    }

    /** Ids may be strings or integers in the wild; both become their plain text. */
    private static String scalarText(Object v, String field) {
        if ((v instanceof String s && !s.isBlank()) || v instanceof Integer || v instanceof Long
                || v instanceof java.math.BigInteger) {
            return v.toString().strip();
        }
        throw new BadField(RejectReason.WRONG_TYPE, "field '" + field + "' must be a non-blank string or integer, found " + typeName(v));
    }

    private static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Number) {
            return "number";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof List<?> || v instanceof Object[]) {
            return "list";
        }
        if (v instanceof Map<?, ?>) {
            return "object";
        }
        return v.getClass().getSimpleName();
    }

    /** Internal signal carrying the rejection reason; never escapes {@link #map}. */
    private static final class BadField extends RuntimeException {
        private final RejectReason reason;

        BadField(RejectReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
