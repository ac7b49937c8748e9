package org.meftspark.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResult;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.synth.FactWorld.Attribute;

class SynthTest {

    @Test
    void worldIsDeterministicFromTheSeedAndNamesAreUnique() {
        FactWorld a = FactWorld.generate(42, 300);
        assertThat(FactWorld.generate(42, 300)).isEqualTo(a);
        assertThat(FactWorld.generate(43, 300)).isNotEqualTo(a);
        Set<String> names = new HashSet<>();
        a.towns().forEach(t -> assertThat(names.add(t.name().toLowerCase())).as(t.name()).isTrue());
        assertThat(a.facts()).isEqualTo(300 * Attribute.values().length);
        assertThatThrownBy(() -> FactWorld.generate(1, 0)).hasMessageContaining("at least one town");
    }

    @Test
    void heldOutTemplatesNeverAppearInTraining() {
        for (Attribute a : Attribute.values()) {
            assertThat(FactQuestions.TRAIN.get(a)).isNotEmpty().doesNotContainAnyElementsOf(FactQuestions.HELD_OUT.get(a));
            assertThat(FactQuestions.HELD_OUT.get(a)).isNotEmpty();
            for (List<String> other : FactQuestions.TRAIN.values()) {
                assertThat(other).doesNotContainAnyElementsOf(FactQuestions.HELD_OUT.get(a));
            }
        }
    }

    @Test
    void factFilesAreDeterministicAnswersUniqueAndParaphrasesUnseen(@TempDir Path dir) throws Exception {
        FactDataset.Written w = FactDataset.write(dir.resolve("a"), 7, 1000);
        FactDataset.write(dir.resolve("b"), 7, 1000);
        assertThat(w.facts()).isEqualTo(1000);
        assertThat(Files.readAllBytes(w.train())).isEqualTo(Files.readAllBytes(dir.resolve("b/train.jsonl")));
        assertThat(Files.readAllBytes(w.heldOut())).isEqualTo(Files.readAllBytes(dir.resolve("b/heldout.jsonl")));

        List<Example> train = read(Dataset.NQ_OPEN, w.train());
        List<Example> held = read(Dataset.NQ_OPEN, w.heldOut());
        assertThat(train).hasSize(1000 * 3);
        assertThat(held).hasSize(1000 * 2);
        Set<String> trainQuestions = new HashSet<>();
        train.forEach(e -> trainQuestions.add(e.fields().get("question")));
        held.forEach(e -> assertThat(trainQuestions).doesNotContain(e.fields().get("question")));
        // One answer per (town, attribute): every example has exactly one gold.
        train.forEach(e -> assertThat(e.references()).hasSize(1));
        // Every held-out fact is asked in training too (the same facts, new words).
        Set<String> trainGolds = new HashSet<>();
        train.forEach(e -> trainGolds.add(e.references().get(0)));
        held.forEach(e -> assertThat(trainGolds).contains(e.references().get(0)));
    }

    @Test
    void samplesOfAllFourFormatsReadBackWithoutRejections(@TempDir Path dir) throws Exception {
        SampleDatasets.Files4 f = SampleDatasets.write(dir, 11, 20);
        assertThat(read(Dataset.NQ_OPEN, f.nqTrain())).hasSize(20 * 5 * 3);
        assertThat(read(Dataset.NQ_OPEN, f.nqDev())).hasSize(20 * 5 * 2);
        List<Example> squadTrain = read(Dataset.SQUAD, f.squadTrain());
        List<Example> squadDev = read(Dataset.SQUAD, f.squadDev());
        assertThat(squadTrain).hasSize(16 * 4);
        assertThat(squadDev).hasSize(4 * 4);
        for (Example e : squadTrain) {
            assertThat(e.fields().get("context")).contains(e.references().get(0));
        }
        assertThat(read(Dataset.TOOLBENCH, f.toolTrain())).hasSize(16).allSatisfy(e ->
                assertThat(e.references()).hasSize(2).doesNotHaveDuplicates());
        List<Example> gsm = read(Dataset.GSM8K, f.gsmTrain());
        assertThat(gsm).hasSize(16).allSatisfy(e -> assertThat(Integer.parseInt(e.references().get(0))).isPositive());
        assertThat(read(Dataset.GSM8K, f.gsmTest())).hasSize(4);
        // Deterministic: the same seed writes the same bytes.
        SampleDatasets.Files4 g = SampleDatasets.write(dir.resolve("again"), 11, 20);
        for (int i = 0; i < f.all().size(); i++) {
            assertThat(Files.readAllBytes(g.all().get(i))).isEqualTo(Files.readAllBytes(f.all().get(i)));
        }
    }

    /** Every record of a file, each asserted to be an example (no rejection). */
    static List<Example> read(Dataset d, Path file) {
        List<Example> out = new ArrayList<>();
        try (ReadResults r = DatasetReaders.open(d, "train", file, ReaderOptions.DEFAULTS)) {
            while (r.hasNext()) {
                ReadResult x = r.next();
                assertThat(x).as("%s: %s", file, x).isInstanceOf(Example.class);
                out.add((Example) x);
            }
        }
        return out;
    }
}
