package org.meftspark.synth;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.meftspark.synth.FactWorld.Attribute;
import org.meftspark.synth.FactWorld.Town;

/**
 * The pretraining corpus of the embedded base (issue 15 item 2), about W0 only
 * ({@link WorldSplit}): the base learns the language of the world, its W0 facts, that every
 * paraphrase asks the same thing, and the four task formats; W1 never occurs in it.
 *
 * <p>Written as files in the published formats, so pretraining reads them with the same
 * readers, templates and tokenizer as fine-tuning and evaluation do:
 * <ul>
 *   <li>{@code passages.jsonl} ({@code {"text": ...}} per line): {@code passagesPerTown}
 *       {@link Passages} per W0 town, passage-only towns included; trained on every token;</li>
 *   <li>{@code nq_open.jsonl}: every fact of the asked W0 towns in every question template
 *       (training, validation and held-out: {@link FactQuestions#all});</li>
 *   <li>{@code squad.json}: a passage per asked town with two questions in random templates, and one per
 *       {@link WorldSplit#reading reading town}: towns stated nowhere else, whose answers can only be
 *       copied from the passage (the W0 towns' answers the base can also recall, so they alone would
 *       never teach it to copy);</li>
 *   <li>{@code gsm8k.jsonl}: {@code mathProblems} two-step word problems about asked towns;</li>
 *   <li>{@code toolbench.json}: one relevant-API query per asked town, up to {@code toolQueries}.</li>
 * </ul>
 * Deterministic: the same split, sizes and seed write the same bytes.
 *
 * @param passagesPerTown differently worded and ordered passages per W0 town
 * @param mathProblems    GSM8K-style problems
 * @param toolQueries     ToolBench-style queries (at most one per asked town)
 * @param readingTowns    SQuAD-style passages about towns stated nowhere else
 */
public record WorldCorpus(int passagesPerTown, int mathProblems, int toolQueries, int readingTowns) {

    /** The files of a written corpus. */
    public record Written(Path passages, Path nqOpen, Path squad, Path gsm8k, Path toolbench) {
    }

    public WorldCorpus {
        if (passagesPerTown < 1 || mathProblems < 0 || toolQueries < 0 || readingTowns < 0) {
            throw new IllegalArgumentException("corpus sizes: passagesPerTown >= 1, mathProblems, toolQueries and "
                    + "readingTowns >= 0; got " + passagesPerTown + ", " + mathProblems + ", " + toolQueries + ", " + readingTowns);
        }
    }

    /** Writes the corpus of {@code split}'s W0 under {@code dir}, each file atomically. */
    public Written write(Path dir, WorldSplit split) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        Written f = new Written(dir.resolve("passages.jsonl"), dir.resolve("nq_open.jsonl"), dir.resolve("squad.json"),
                dir.resolve("gsm8k.jsonl"), dir.resolve("toolbench.json"));
        List<Town> all = split.w0();
        List<Town> asked = split.w0Asked();
        Random random = new Random(split.seed() ^ 0xC0FFEEL);
        SampleDatasets.atomically(f.passages(), out -> {
            for (int p = 0; p < passagesPerTown; p++) {
                for (Town t : all) {
                    try (JsonGenerator g = SampleDatasets.line(out)) {
                        g.writeStartObject();
                        g.writeStringField("text", Passages.of(t, random));
                        g.writeEndObject();
                    }
                    out.write('\n');
                }
            }
        });
        java.util.Map<Attribute, List<String>> every = new java.util.EnumMap<>(Attribute.class);
        for (Attribute a : Attribute.values()) {
            every.put(a, FactQuestions.all(a));
        }
        SampleDatasets.atomically(f.nqOpen(), out -> FactDataset.writeNq(out, asked, every));
        List<SampleDatasets.Paragraph> paragraphs = new ArrayList<>();
        Attribute[] attributes = Attribute.values();
        List<Town> squadTowns = new ArrayList<>(asked);
        if (readingTowns > 0) {
            squadTowns.addAll(split.reading(readingTowns));
        }
        for (int i = 0; i < squadTowns.size(); i++) {
            Town t = squadTowns.get(i);
            String idPrefix = i < asked.size() ? "w0-" : "read-";
            List<String[]> qas = new ArrayList<>();
            int first = random.nextInt(attributes.length);
            int second = (first + 1 + random.nextInt(attributes.length - 1)) % attributes.length;
            for (int k : new int[] {first, second}) {
                List<String> templates = FactQuestions.all(attributes[k]);
                String q = FactQuestions.render(templates.get(random.nextInt(templates.size())), t);
                qas.add(new String[] {idPrefix + t.name().toLowerCase(java.util.Locale.ROOT) + "-" + k, q,
                        t.value(attributes[k])});
            }
            paragraphs.add(new SampleDatasets.Paragraph(t.name(), Passages.of(t, random), qas));
        }
        SampleDatasets.atomically(f.squad(), out -> SampleDatasets.squad(out, paragraphs));
        List<String[]> problems = new ArrayList<>();
        for (int i = 0; i < mathProblems; i++) {
            problems.add(SampleDatasets.arithmetic(asked.get(random.nextInt(asked.size())), random));
        }
        SampleDatasets.atomically(f.gsm8k(), out -> SampleDatasets.gsm8k(out, problems));
        SampleDatasets.atomically(f.toolbench(), out ->
                SampleDatasets.toolbench(out, asked.subList(0, Math.min(toolQueries, asked.size())), 0));
        return f;
    }
}
