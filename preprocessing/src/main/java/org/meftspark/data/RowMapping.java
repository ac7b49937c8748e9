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
    /**
     * The GSM8K authors' answer extraction ({@code grade_school_math/dataset.py}, {@code ANS_RE}): the first
     * {@code "#### "} and the run of digits, '.', ',' and a leading '-' after it.
     */
    private static final Pattern GSM8K_ANSWER = Pattern.compile("#### (-?[0-9.,]+)");
    /** The rest of the answer line must be that number alone: {@code #### $5} or {@code #### 5 apples} is no number. */
    private static final Pattern GSM8K_NUMBER = Pattern.compile("-?(?:[0-9][0-9,]*(?:\\.[0-9]+)?|\\.[0-9]+)");

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
            return new Rejection(e.reason, e.getMessage(), where, readableId(dataset, row));
        }
    }

    /**
     * The id a rejected row would have had, as far as its fields allow (issue 18: a reject must say which
     * record it was); empty when even that is unreadable.
     */
    static String readableId(Dataset dataset, Map<String, ?> row) {
        Object id = row.get(dataset == Dataset.TOOLBENCH ? "query_id" : "id");
        boolean scalar = (id instanceof String s && !s.isBlank()) || id instanceof Integer || id instanceof Long
                || id instanceof java.math.BigInteger;
        Object question = row.get(dataset == Dataset.TOOLBENCH ? "query" : "question");
        String q = question instanceof String s && !s.isBlank() ? s.strip() : null;
        return switch (dataset) {
            case SQUAD -> scalar ? Dataset.SQUAD.key() + ":" + id.toString().strip() : "";
            case TOOLBENCH -> q != null ? Dataset.TOOLBENCH.key() + ":" + (scalar ? id.toString().strip() + "-" : "")
                    + Sha256.hex(q).substring(0, 12) : scalar ? Dataset.TOOLBENCH.key() + ":" + id.toString().strip() : "";
            case NQ_OPEN, GSM8K -> q != null ? contentId(dataset, q) : "";
        };
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
     * answer_start: [..]}}}; the v1.1/v2.0 JSON layout {@code answers: [{text, answer_start}, ..]}
     * is accepted too, so the streaming JSON reader can pass a question as it is.
     *
     * <p>SQuAD v2.0: a question with {@code is_impossible: true} (JSON), or with an empty
     * {@code answers.text} list in the HF layout (how {@code rajpurkar/squad_v2} marks it; it has no
     * {@code is_impossible} column), is kept as unanswerable: empty target and references,
     * {@code noAnswer}. Without {@code is_impossible}, an empty JSON answer list is still a bad record.
     */
    private static Example squad(Map<String, ?> row, String split, SourceLocation where) {
        Object rawContext = row.get("context");
        String context = requiredText(row, "context");
        String question = requiredText(row, "question");
        Object sourceId = row.get("id");
        String id = sourceId == null ? contentId(Dataset.SQUAD, context + "\n" + question)
                : Dataset.SQUAD.key() + ":" + scalarText(sourceId, "id");
        Map<String, String> fields = orderedFields("context", context, "question", question);
        Object impossible = row.get("is_impossible");
        if (impossible != null && !(impossible instanceof Boolean)) {
            throw new BadField(RejectReason.WRONG_TYPE, "field 'is_impossible' must be true or false, found "
                    + typeName(impossible));
        }
        Object answersValue = require(row, "answers");
        boolean columnar = answersValue instanceof Map<?, ?>;
        if (Boolean.TRUE.equals(impossible) || (impossible == null && columnar
                && ((Map<?, ?>) answersValue).get("text") instanceof List<?> l && l.isEmpty())) {
            return new Example(id, Dataset.SQUAD, split, fields, "", List.of(), where, true, -1, List.of());
        }
        List<String> answers;
        Object firstStart = null;
        if (answersValue instanceof Map<?, ?> c) {
            answers = textList(c.get("text"), "answers.text");
            if (c.get("answer_start") instanceof List<?> starts && !starts.isEmpty()) {
                firstStart = starts.get(0);
            }
        } else {
            List<?> list = asList(answersValue, "answers");
            List<Object> texts = new ArrayList<>(list.size());
            for (Object a : list) {
                if (!(a instanceof Map<?, ?> m)) {
                    throw new BadField(RejectReason.WRONG_TYPE, "answers[] must be objects {text, answer_start}, found " + typeName(a));
                }
                if (texts.isEmpty()) {
                    firstStart = m.get("answer_start");
                }
                texts.add(m.get("text"));
            }
            answers = textList(texts, "answers[].text");
        }
        int lead = rawContext instanceof String raw ? raw.indexOf(context) : 0;
        int start = answerStart(context, answers.get(0), firstStart instanceof Number n ? n.intValue() - lead : -1);
        return new Example(id, Dataset.SQUAD, split, fields, answers.get(0), answers, where, false, start, List.of());
    }

    /**
     * Where the first gold answer starts in the (stripped) context: at its published {@code answer_start}
     * when the text is there (give or take the white space stripped from the answer), else at its first
     * occurrence; -1 when the context does not hold it.
     */
    static int answerStart(String context, String answer, int published) {
        if (published >= 0) {
            int near = context.indexOf(answer, Math.max(0, published - 3));
            if (near >= 0 && near <= published + 3) {
                return near;
            }
        }
        return context.indexOf(answer);
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
        List<String> candidatePairs = new ArrayList<>(apiList.size());
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
            candidatePairs.add(tool + "\t" + name); // a tab: names hold commas and colons
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
                String.join("\n", pairs), pairs, where, false, -1, candidatePairs);
    }

    /**
     * Row {@code {question, answer}}. The reference is what the GSM8K authors' {@code extract_answer} reads from
     * the answer: the number after the first {@code "#### "}, commas removed (so {@code 1,000} and {@code 1000}
     * are one reference, as there). An answer whose first {@code ####} line holds no plain number
     * ({@code #### $5}, {@code ####5}, {@code #### 5 apples}) is rejected: the official scorer could never match it.
     */
    private static Example gsm8k(Map<String, ?> row, String split, SourceLocation where) {
        String question = requiredText(row, "question");
        String answer = requiredText(row, "answer");
        int hashes = answer.indexOf("####");
        if (hashes < 0) {
            throw new BadField(RejectReason.BAD_ANSWER_FORMAT, "answer has no '#### N' line; GSM8K solutions end "
                    + "with '#### ' and the number");
        }
        int eol = answer.indexOf('\n', hashes);
        String rest = answer.substring(hashes + 4, eol < 0 ? answer.length() : eol);
        Matcher m = GSM8K_ANSWER.matcher(answer);
        if (!rest.startsWith(" ") || !GSM8K_NUMBER.matcher(rest.strip()).matches() || !m.find()
                || m.start() != hashes) {
            throw new BadField(RejectReason.BAD_ANSWER_FORMAT, "the first '####' line reads '####" + abbreviate(rest)
                    + "', not '#### N' with N a number (digits, optional '-', ',' and '.'); the official GSM8K "
                    + "scorer could not match any prediction against it");
        }
        String gold = m.group(1).replace(",", "");
        return new Example(contentId(Dataset.GSM8K, question), Dataset.GSM8K, split,
                orderedFields("question", question), answer, List.of(gold), where);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
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
