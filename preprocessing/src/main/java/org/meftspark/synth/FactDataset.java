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

    /**
     * The study's files about a pretrained base's world (issue 15 item 5), NQ-open JSONL each.
     *
     * @param train      W1 facts in the training templates: the fine-tuning data
     * @param validation the same facts in the validation paraphrases: where learning rates are chosen
     * @param heldOut    the same facts in the held-out paraphrases: the test
     * @param extraction W0 towns the pretraining corpus only stated in passages, asked in the training
     *                   templates: knowledge that is the base's, which fine-tuning only teaches to use
     * @param w0         W0 towns the corpus asked about, in the training templates: forgetting
     * @param facts      W1 facts
     * @param towns      W1 towns
     */
    public record StudyFiles(Path train, Path validation, Path heldOut, Path extraction, Path w0, int facts, int towns) {
    }

    private FactDataset() {
    }

    /** Writes the study's five files for at least {@code facts} W1 facts of {@code world}, each atomically. */
    public static StudyFiles write(Path dir, WorldSplit world, int facts) throws IOException {
        if (facts < 1) {
            throw new IllegalArgumentException("--facts must be at least 1, got " + facts);
        }
        int attributes = Attribute.values().length;
        List<Town> w1 = world.w1((facts + attributes - 1) / attributes);
        Files.createDirectories(dir);
        StudyFiles f = new StudyFiles(dir.resolve("train.jsonl"), dir.resolve("validation.jsonl"),
                dir.resolve("heldout.jsonl"), dir.resolve("extraction.jsonl"), dir.resolve("w0.jsonl"),
                w1.size() * attributes, w1.size());
        SampleDatasets.atomically(f.train(), out -> writeNq(out, w1, FactQuestions.TRAIN));
        SampleDatasets.atomically(f.validation(), out -> writeNq(out, w1, FactQuestions.VALIDATION));
        SampleDatasets.atomically(f.heldOut(), out -> writeNq(out, w1, FactQuestions.HELD_OUT));
        SampleDatasets.atomically(f.extraction(), out -> writeNq(out, world.w0PassageOnly(), FactQuestions.TRAIN));
        SampleDatasets.atomically(f.w0(), out -> writeNq(out, world.w0Asked(), FactQuestions.TRAIN));
        return f;
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
