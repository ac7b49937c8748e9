package org.meftspark.shard;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The Arrow schema of a shard, version {@link #FORMAT_VERSION} (docs/shard-format.md). */
public final class ShardSchema {
    private ShardSchema() {
    }

    /** Bumped whenever columns or their meaning change; readers refuse other versions. */
    public static final int FORMAT_VERSION = 2;

    /** Column names. */
    public static final String ID = "id";
    /** Dataset key column. */
    public static final String DATASET = "dataset";
    /** Split column. */
    public static final String SPLIT = "split";
    /** Token ids, list&lt;int32&gt;, shape [seqLen] per row. */
    public static final String INPUT_IDS = "input_ids";
    /** Loss mask, list&lt;int8&gt;, shape [seqLen] per row: 1 = predicted target token. */
    public static final String LOSS_MASK = "loss_mask";
    /** BOS + prompt tokens, int32. */
    public static final String PROMPT_LENGTH = "prompt_length";
    /** Gold answers, list&lt;utf8&gt;. */
    public static final String REFERENCES = "references";
    /** Source file:line, utf8. */
    public static final String SOURCE = "source";
    /** Prompt tokens removed by truncation, int32. */
    public static final String TRUNCATED_TOKENS = "truncated_tokens";
    /** The question text, utf8 (version 2: lets scoring match predictions by question). */
    public static final String QUESTION = "question";
    /** An unanswerable SQuAD v2.0 question, bool (version 2). */
    public static final String NO_ANSWER = "no_answer";
    /** ToolBench candidate APIs as "tool_name, api_name", list&lt;utf8&gt; (version 2). */
    public static final String CANDIDATES = "candidates";

    private static Field required(String name, ArrowType type) {
        return new Field(name, FieldType.notNullable(type), null);
    }

    private static Field listOf(String name, ArrowType element) {
        return new Field(name, FieldType.notNullable(new ArrowType.List()),
                List.of(new Field("item", FieldType.notNullable(element), null)));
    }

    /** The schema; all columns non-null. */
    public static final Schema SCHEMA = new Schema(List.of(
            required(ID, new ArrowType.Utf8()),
            required(DATASET, new ArrowType.Utf8()),
            required(SPLIT, new ArrowType.Utf8()),
            listOf(INPUT_IDS, new ArrowType.Int(32, true)),
            listOf(LOSS_MASK, new ArrowType.Int(8, true)),
            required(PROMPT_LENGTH, new ArrowType.Int(32, true)),
            listOf(REFERENCES, new ArrowType.Utf8()),
            required(SOURCE, new ArrowType.Utf8()),
            required(TRUNCATED_TOKENS, new ArrowType.Int(32, true)),
            required(QUESTION, new ArrowType.Utf8()),
            required(NO_ANSWER, new ArrowType.Bool()),
            listOf(CANDIDATES, new ArrowType.Utf8())));
}
