package org.meftspark.synth;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.meftspark.synth.FactWorld.Attribute;
import org.meftspark.synth.FactWorld.Town;

/**
 * Writes a fact world as NQ-open JSONL ({@code {"question": ..., "answer": [...]}}), so it
 * goes through the normal pipeline (issue 8, {@code meft make-facts}): {@code train.jsonl}
 * asks every fact with every training template, {@code heldout.jsonl} with every
 * held-out paraphrase.
 */
public final class FactDataset {

    /** What was written. */
    public record Written(Path train, Path heldOut, int facts, int towns) {
    }

    private FactDataset() {
    }

    /** Generates a world with at least {@code facts} facts from {@code seed} and writes both files atomically. */
    public static Written write(Path dir, long seed, int facts) throws IOException {
        if (facts < 1) {
            throw new IllegalArgumentException("--facts must be at least 1, got " + facts);
        }
        int attributes = Attribute.values().length;
        FactWorld world = FactWorld.generate(seed, (facts + attributes - 1) / attributes);
        Files.createDirectories(dir);
        Path train = dir.resolve("train.jsonl");
        Path heldOut = dir.resolve("heldout.jsonl");
        SampleDatasets.atomically(train, out -> writeNq(out, world.towns(), FactQuestions.TRAIN));
        SampleDatasets.atomically(heldOut, out -> writeNq(out, world.towns(), FactQuestions.HELD_OUT));
        return new Written(train, heldOut, world.facts(), world.towns().size());
    }

    /** One NQ-open line per (town, attribute, template) of the given template group. */
    static void writeNq(OutputStream out, List<Town> towns, java.util.Map<Attribute, List<String>> group) throws IOException {
        for (Town town : towns) {
            for (Attribute a : Attribute.values()) {
                for (String t : group.get(a)) {
                    try (JsonGenerator g = SampleDatasets.line(out)) {
                        g.writeStartObject();
                        g.writeStringField("question", FactQuestions.render(t, town));
                        g.writeArrayFieldStart("answer");
                        g.writeString(town.value(a));
                        g.writeEndArray();
                        g.writeEndObject();
                    }
                    out.write('\n');
                }
            }
        }
    }
}
