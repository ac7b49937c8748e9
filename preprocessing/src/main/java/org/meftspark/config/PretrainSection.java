package org.meftspark.config;

import java.util.List;

/**
 * Pretraining the embedded base (issue 15; {@code bin/meft pretrain}): the generated world W0
 * the corpus states, how much of each kind of text it holds, and the seeded random start. The
 * other sections of the same file say how to train ({@code training}, with {@code adapter.method:
 * full}) and how long a sequence may be ({@code data.max_length}).
 *
 * @param worldSeed        seed of the world ({@code synth.WorldSplit}); W1, the fine-tuning world, is drawn after W0
 * @param baseTowns        towns of W0, the world the base learns
 * @param passageOnlyTowns W0 towns stated in passages only, never asked (extraction questions)
 * @param passagesPerTown  differently worded passages per W0 town
 * @param mathProblems     GSM8K-style problems in the corpus
 * @param toolQueries      ToolBench-style queries in the corpus
 * @param readingTowns     SQuAD-style passages about towns stated nowhere else (answers only copyable)
 * @param architecture     Hugging Face config.json of the model to initialise
 * @param initSeed         seed of the random initialisation
 * @param initStd          standard deviation of the initial weights (HF initializer_range)
 * @param vocabSize        0: tokenize with {@code model.tokenizer}; otherwise the size of a byte-level BPE learned
 *                         from the corpus itself (259 byte and special ids plus vocabSize - 259 merges)
 */
public record PretrainSection(long worldSeed, int baseTowns, int passageOnlyTowns, int passagesPerTown,
                              int mathProblems, int toolQueries, int readingTowns, String architecture, long initSeed, double initStd,
                              int vocabSize)
        implements java.io.Serializable {

    public static final Key<Long> WORLD_SEED = Key.longInt("world_seed", 20241215L, 0, Long.MAX_VALUE,
            "Seed of the generated world; W0 (pretraining) and W1 (fine-tuning, evaluation) are drawn from it.");
    public static final Key<Integer> BASE_TOWNS = Key.integer("base_towns", 160, 1, 1 << 20,
            "Towns of W0, the world the corpus states (5 facts each).");
    public static final Key<Integer> PASSAGE_ONLY_TOWNS = Key.integer("passage_only_towns", 32, 0, 1 << 20,
            "W0 towns stated only in passages, never asked: the study's extraction questions.");
    public static final Key<Integer> PASSAGES_PER_TOWN = Key.integer("passages_per_town", 4, 1, 1000,
            "Passages per W0 town, each with its own wording and sentence order.");
    public static final Key<Integer> MATH_PROBLEMS = Key.integer("math_problems", 600, 0, 1 << 24,
            "GSM8K-style word problems in the corpus.");
    public static final Key<Integer> TOOL_QUERIES = Key.integer("tool_queries", 128, 0, 1 << 24,
            "ToolBench-style queries in the corpus (at most one per asked W0 town).");
    public static final Key<Integer> READING_TOWNS = Key.integer("reading_towns", 0, 0, 1 << 16,
            "SQuAD-style passages (two questions each) about towns stated nowhere else, so that their answers can only be "
                    + "copied from the passage: what teaches the base to read rather than recall.");
    public static final Key<String> ARCHITECTURE = Key.string("architecture", "conf/pretrain/world-base.json", ".+",
            "a path", "Hugging Face config.json of the model to initialise and pretrain.");
    public static final Key<Long> INIT_SEED = Key.longInt("init_seed", 20241215L, 0, Long.MAX_VALUE,
            "Seed of the random initial weights.");
    public static final Key<Double> INIT_STD = Key.real("init_std", 0.02, 0.0, true, 10.0,
            "Standard deviation of the initial weights (Hugging Face initializer_range); norms start at one.");
    public static final Key<Integer> VOCAB_SIZE = Key.integer("vocab_size", 0, 0, 1 << 16,
            "0: tokenize the corpus with model.tokenizer. Otherwise learn a byte-level BPE of this many ids from the "
                    + "corpus (the 256 bytes and 3 specials of the byte tokenizer, then merges; W0's names are left out "
                    + "of the counts so that W0 and W1 names split the same way) and write it into the model folder.");

    public static final Section<PretrainSection> SECTION = new Section<>("pretrain",
            "Pretraining the embedded base (bin/meft pretrain): the generated world, the corpus sizes, the random start.",
            List.of(WORLD_SEED, BASE_TOWNS, PASSAGE_ONLY_TOWNS, PASSAGES_PER_TOWN, MATH_PROBLEMS, TOOL_QUERIES,
                    READING_TOWNS, ARCHITECTURE, INIT_SEED, INIT_STD, VOCAB_SIZE),
            v -> new PretrainSection(v.get(WORLD_SEED), v.get(BASE_TOWNS), v.get(PASSAGE_ONLY_TOWNS),
                    v.get(PASSAGES_PER_TOWN), v.get(MATH_PROBLEMS), v.get(TOOL_QUERIES), v.get(READING_TOWNS), v.get(ARCHITECTURE),
                    v.get(INIT_SEED), v.get(INIT_STD), v.get(VOCAB_SIZE)));

    public PretrainSection {
        if (passageOnlyTowns >= baseTowns) {
            throw new IllegalArgumentException("pretrain.passage_only_towns (" + passageOnlyTowns
                    + ") must be below pretrain.base_towns (" + baseTowns + "): some W0 towns must be asked");
        }
        if (vocabSize != 0 && vocabSize <= 259) {
            throw new IllegalArgumentException("pretrain.vocab_size (" + vocabSize + ") must be 0 (use model.tokenizer) "
                    + "or above 259, the byte tokenizer's ids, to leave room for merges");
        }
    }
}
