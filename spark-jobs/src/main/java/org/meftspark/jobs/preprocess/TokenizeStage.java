package org.meftspark.jobs.preprocess;

import java.util.Iterator;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.meftspark.data.Example;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.Reject;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.SequenceResult;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.tokenize.TruncationSide;

/**
 * The tokenize step, run on the deduplicated partitions without a shuffle of its own: examples become
 * rows through {@link SequenceBuilder}, training examples the contamination check matched become
 * {@code contaminated} rejects, and every reject from the earlier stages passes through, so the
 * one RDD this returns holds every record of the job exactly once.
 *
 * <p>Everything a task needs is serialised once into the closure: the tokenizer's files (a broadcast),
 * the parsed templates and the length policy. The tokenizer itself is built once per executor JVM
 * ({@link TokenizerSource#get()}).
 *
 * @param tokenizer  the tokenizer's files
 * @param templates  the prompt templates
 * @param maxLength  data.max_length
 * @param side       data.truncation_side
 * @param stride     data.squad_stride
 * @param chat       data.chat_template is model: examples become chats of the tokenizer's template
 * @param removed    training id to the evaluation example it near-duplicates, for data.remove_contaminated;
 *                   null when nothing is removed
 */
record TokenizeStage(Broadcast<TokenizerSource> tokenizer, PromptTemplates templates, int maxLength, TruncationSide side,
                     int stride, boolean chat, Broadcast<Map<String, String>> removed) implements java.io.Serializable {

    static final String CONTAMINATED = Reject.CONTAMINATED;

    Iterator<Outcome<TokenizedExample>> apply(Iterator<Outcome<Example>> records) {
        SequenceBuilder builder = new SequenceBuilder(tokenizer.value().get(), templates, maxLength, side, stride, chat);
        Map<String, String> matched = removed == null ? Map.of() : removed.value();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public Outcome<TokenizedExample> next() {
                Outcome<Example> o = records.next();
                if (!o.isOk()) {
                    return Outcome.rejected(o.reject());
                }
                Example e = o.value();
                String evalId = matched.get(e.id());
                if (evalId != null) {
                    return Outcome.rejected(new Reject(CONTAMINATED, "training question near-duplicates evaluation "
                            + "example " + evalId + "; removed because data.remove_contaminated is true",
                            e.source().toString(), e.dataset().key(), e.id(), e.split(), 0));
                }
                SequenceResult r = builder.build(e);
                if (r instanceof SequenceResult.Built b) {
                    return Outcome.ok(b.example());
                }
                SequenceResult.Dropped d = (SequenceResult.Dropped) r;
                return Outcome.rejected(Reject.of(d.rejection(), e.dataset().key(), e.id(), e.split(), d.fullLength()));
            }
        };
    }
}
