package org.meftspark.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.synth.FactWorld.Attribute;
import org.meftspark.synth.FactWorld.Town;

/** The pretraining corpus (issue 15 item 2): deterministic, about W0 only, every paraphrase of every asked fact. */
class WorldCorpusTest {
    private static final WorldSplit SPLIT = new WorldSplit(99, 24, 6);
    private static final WorldCorpus CORPUS = new WorldCorpus(3, 40, 10, 8);

    @Test
    void theSameSplitAndSizesWriteTheSameBytes(@TempDir Path dir) throws Exception {
        WorldCorpus.Written a = CORPUS.write(dir.resolve("a"), SPLIT);
        WorldCorpus.Written b = CORPUS.write(dir.resolve("b"), SPLIT);
        for (String f : List.of("passages.jsonl", "nq_open.jsonl", "squad.json", "gsm8k.jsonl", "toolbench.json")) {
            assertThat(Files.readAllBytes(dir.resolve("a").resolve(f))).as(f).isEqualTo(Files.readAllBytes(dir.resolve("b").resolve(f)));
        }
        assertThat(Files.readString(a.passages())).isNotEqualTo(Files.readString(
                new WorldCorpus(3, 40, 10, 8).write(dir.resolve("c"), new WorldSplit(100, 24, 6)).passages()));
        assertThat(b.nqOpen()).exists();
    }

    @Test
    void noNameOrValueOfW1EverOccursInTheCorpus(@TempDir Path dir) throws Exception {
        CORPUS.write(dir, SPLIT);
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                all.append(Files.readString(f)).append('\n');
            }
        }
        String corpus = all.toString();
        List<Town> w1 = SPLIT.w1(200);
        int checked = 0;
        for (Town t : w1) {
            for (String name : List.of(t.name(), t.founder(), t.river(), t.guild())) {
                assertThat(Pattern.compile("(?<![\\p{L}])" + Pattern.quote(name) + "(?![\\p{L}])").matcher(corpus).find())
                        .as("W1 name %s (town %s) in the pretraining corpus", name, t.name()).isFalse();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(800);
        // ...while every W0 town is there: the check would see a name if one leaked.
        for (Town t : SPLIT.w0()) {
            assertThat(corpus).contains(t.name(), t.founder(), t.river(), t.guild());
        }
    }

    @Test
    void askedTownsAreAskedInEveryTemplateAndPassageOnlyTownsNever(@TempDir Path dir) throws Exception {
        WorldCorpus.Written w = CORPUS.write(dir, SPLIT);
        Set<String> questions = new HashSet<>();
        for (Example e : read(Dataset.NQ_OPEN, w.nqOpen())) {
            questions.add(e.fields().get("question"));
        }
        for (Town t : SPLIT.w0Asked()) {
            for (Attribute a : Attribute.values()) {
                for (String template : FactQuestions.all(a)) {
                    assertThat(questions).contains(FactQuestions.render(template, t));
                }
            }
        }
        assertThat(questions).hasSize(SPLIT.w0Asked().size() * 5 * 6);
        List<Example> asked = new ArrayList<>(read(Dataset.NQ_OPEN, w.nqOpen()));
        asked.addAll(read(Dataset.SQUAD, w.squad()));
        asked.addAll(read(Dataset.GSM8K, w.gsm8k()));
        asked.addAll(read(Dataset.TOOLBENCH, w.toolbench()));
        for (Town t : SPLIT.w0PassageOnly()) {
            for (Example e : asked) {
                assertThat(e.fields().values().stream().anyMatch(v -> v.contains(t.name())))
                        .as("passage-only town %s asked in %s", t.name(), e.id()).isFalse();
            }
            assertThat(Files.readString(w.passages())).contains(t.name());
        }
        List<Example> squad = read(Dataset.SQUAD, w.squad());
        assertThat(squad).hasSize((SPLIT.w0Asked().size() + 8) * 2)
                .allSatisfy(e -> assertThat(e.fields().get("context")).contains(e.references().get(0)));
        // The reading towns' passages are the only place their names occur: nothing else states or asks them.
        String passages = Files.readString(w.passages());
        for (Town t : SPLIT.reading(8)) {
            assertThat(squad.stream().filter(e -> e.fields().get("context").contains(t.name()))).hasSize(2);
            assertThat(passages).doesNotContain(t.name());
        }
        assertThat(read(Dataset.GSM8K, w.gsm8k())).hasSize(40);
        assertThat(read(Dataset.TOOLBENCH, w.toolbench())).hasSize(10);
    }

    @Test
    void w1GrowsByAppendingAndNeverMeetsW0() {
        List<Town> small = SPLIT.w1(5);
        List<Town> large = SPLIT.w1(50);
        assertThat(large.subList(0, 5)).isEqualTo(small);
        Set<String> w0 = new HashSet<>();
        SPLIT.w0().forEach(t -> w0.add(t.name()));
        large.forEach(t -> assertThat(w0).doesNotContain(t.name()));
        assertThat(SPLIT.w0Asked()).hasSize(18);
        assertThat(SPLIT.w0PassageOnly()).hasSize(6);
    }

    @Test
    void fineTuningSamplesNeverUseAValidationOrHeldOutParaphrase(@TempDir Path dir) throws Exception {
        SampleDatasets.Files4 f = SampleDatasets.write(dir, SPLIT.w1(20), SPLIT.seed(), "w1");
        Set<String> heldOut = new HashSet<>();
        Set<String> validation = new HashSet<>();
        for (Town t : SPLIT.w1(20)) {
            for (Attribute a : Attribute.values()) {
                FactQuestions.HELD_OUT.get(a).forEach(q -> heldOut.add(FactQuestions.render(q, t)));
                FactQuestions.VALIDATION.get(a).forEach(q -> validation.add(FactQuestions.render(q, t)));
            }
        }
        assertThat(heldOut).doesNotContainAnyElementsOf(validation);
        List<Example> train = read(Dataset.NQ_OPEN, f.nqTrain());
        assertThat(train).hasSize(20 * 5 * 3).allSatisfy(e -> {
            assertThat(heldOut).doesNotContain(e.fields().get("question"));
            assertThat(validation).doesNotContain(e.fields().get("question"));
        });
        List<Example> dev = read(Dataset.NQ_OPEN, f.nqDev());
        assertThat(dev).hasSize(20 * 5 * 2).allSatisfy(e -> assertThat(heldOut).contains(e.fields().get("question")));
        for (Attribute a : Attribute.values()) {
            assertThat(FactQuestions.TRAIN.get(a)).doesNotContainAnyElementsOf(FactQuestions.VALIDATION.get(a));
            assertThat(FactQuestions.HELD_OUT.get(a)).doesNotContainAnyElementsOf(FactQuestions.VALIDATION.get(a));
        }
    }

    @Test
    void studyFilesSplitW1ByParaphraseGroupAndAskW0ForExtractionAndForgetting(@TempDir Path dir) throws Exception {
        FactDataset.StudyFiles f = FactDataset.write(dir, SPLIT, 48);
        assertThat(f.towns()).isEqualTo(10);
        assertThat(f.facts()).isEqualTo(50);
        assertThat(read(Dataset.NQ_OPEN, f.train())).hasSize(50 * 3);
        assertThat(read(Dataset.NQ_OPEN, f.validation())).hasSize(50);
        assertThat(read(Dataset.NQ_OPEN, f.heldOut())).hasSize(50 * 2);
        Set<String> w1 = new HashSet<>();
        SPLIT.w1(10).forEach(t -> w1.add(t.name()));
        for (Path p : List.of(f.train(), f.validation(), f.heldOut())) {
            assertThat(read(Dataset.NQ_OPEN, p)).allSatisfy(e -> assertThat(w1.stream().anyMatch(
                    n -> e.fields().get("question").contains(n))).isTrue());
        }
        List<Example> extraction = read(Dataset.NQ_OPEN, f.extraction());
        assertThat(extraction).hasSize(SPLIT.w0PassageOnly().size() * 5 * 3);
        assertThat(extraction.get(0).fields().get("question")).contains(SPLIT.w0PassageOnly().get(0).name());
        assertThat(read(Dataset.NQ_OPEN, f.w0())).hasSize(SPLIT.w0Asked().size() * 5 * 3);
    }

    @Test
    void passagesStateEveryAttributeInVaryingWordsAndOrder() {
        Town t = SPLIT.w0().get(0);
        java.util.Random r = new java.util.Random(5);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String p = Passages.of(t, r);
            for (Attribute a : Attribute.values()) {
                assertThat(Passages.wordStart(p, t.value(a))).as(p).isNotNegative();
            }
            seen.add(p);
        }
        assertThat(seen.size()).isGreaterThan(20);
        assertThat(Passages.wordStart("Stinford exports tin.", "tin")).isEqualTo(17);
        assertThat(Passages.wordStart("Stinford exports wool.", "tin")).isEqualTo(-1);
    }

    private static List<Example> read(Dataset d, Path file) {
        return SynthTest.read(d, file);
    }
}
