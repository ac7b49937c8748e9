package org.meftspark.jobs.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.config.DataSection;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.data.SourceLocation;
import org.meftspark.data.UnusableInputException;
import org.meftspark.jobs.input.InputFile;
import org.meftspark.jobs.input.Outcome;
import org.meftspark.jobs.input.Reject;
import org.meftspark.jobs.input.Sourced;
import scala.Tuple2;

/** The job's pure parts, without Spark: which duplicate survives, and how inputs expand to files. */
class DedupAndInputsTest {
    @TempDir
    Path dir;

    private static Sourced ex(int input, String split, String file, long line) {
        return new Sourced(input, new Example("gsm8k:abc", Dataset.GSM8K, split, Map.of("question", "q"), "t",
                List.of("1"), new SourceLocation(file, line, line - 1)));
    }

    private static Sourced other(String id) {
        return new Sourced(0, new Example(id, Dataset.GSM8K, "train", Map.of("question", "q"), "t", List.of("1"),
                new SourceLocation("a.jsonl", 9, 8)));
    }

    @Test
    void evaluationCopyWinsThenFirstInputThenEarliestLineAndEveryOtherCopyIsARejectNamingTheKeptOne() {
        List<Tuple2<String, Outcome<Sourced>>> sorted = List.of(
                new Tuple2<>("gsm8k:abc", Outcome.ok(ex(0, "train", "train.jsonl", 7))),
                new Tuple2<>("gsm8k:abc", Outcome.ok(ex(2, "test", "test.jsonl", 40))),
                new Tuple2<>("gsm8k:abc", Outcome.ok(ex(1, "test", "test-copy.jsonl", 3))),
                new Tuple2<>("gsm8k:abd", Outcome.ok(other("gsm8k:abd"))));
        List<Outcome<Example>> out = new ArrayList<>();
        Iterator<Outcome<Example>> it = Dedup.adjacent(sorted.iterator());
        it.forEachRemaining(out::add);
        assertThat(out).hasSize(4);
        assertThat(out.stream().filter(Outcome::isOk).map(o -> o.value().source().toString()))
                .containsExactly("test-copy.jsonl:3", "a.jsonl:9");
        assertThat(out.stream().filter(o -> !o.isOk()).map(Outcome::reject)).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo("duplicate_id");
            assertThat(r.message()).contains("test-copy.jsonl:3").contains("split test");
            assertThat(r.id()).isEqualTo("gsm8k:abc");
        }).extracting(Reject::source).containsExactlyInAnyOrder("train.jsonl:7", "test.jsonl:40");
    }

    @Test
    void readersRejectsPassThroughUngroupedEvenWhenTheirSourceEqualsAnExamplesId() {
        Reject bad = new Reject("malformed_json", "not JSON", "a.jsonl:3", "gsm8k", "");
        Reject bad2 = new Reject("missing_field", "no question", "a.jsonl:3", "gsm8k", "");
        // Keys sort as Spark's shuffle sorts them; the example's id happens to equal the rejects' source.
        List<Tuple2<String, Outcome<Sourced>>> sorted = List.of(
                new Tuple2<>("a.jsonl:3", Outcome.rejected(bad)),
                new Tuple2<>("a.jsonl:3", Outcome.ok(other("a.jsonl:3"))),
                new Tuple2<>("a.jsonl:3", Outcome.rejected(bad2)),
                new Tuple2<>("b.jsonl:1", Outcome.rejected(bad)));
        List<Outcome<Example>> out = new ArrayList<>();
        Dedup.adjacent(sorted.iterator()).forEachRemaining(out::add);
        assertThat(out.stream().filter(o -> !o.isOk()).map(Outcome::reject)).containsExactly(bad, bad2, bad);
        assertThat(out.stream().filter(Outcome::isOk).map(o -> o.value().id())).containsExactly("a.jsonl:3");
    }

    @Test
    void directoriesExpandToTheirDataFilesAndMissingPathsNameTheConfigEntry() throws Exception {
        Path hf = Files.createDirectories(dir.resolve("hf"));
        Files.writeString(hf.resolve("data-00001-of-00002.arrow"), "x");
        Files.writeString(hf.resolve("data-00000-of-00002.arrow"), "x");
        Files.writeString(hf.resolve("dataset_info.json"), "{}");
        Files.writeString(hf.resolve("state.json"), "{}");
        Files.writeString(hf.resolve("_SUCCESS"), "");
        Files.writeString(hf.resolve("README.md"), "not data");
        Files.writeString(dir.resolve("q.parquet"), "x");
        List<DataSection.Input> inputs = List.of(
                new DataSection.Input(Dataset.NQ_OPEN, hf.toString(), DataSection.Format.AUTO, ""),
                new DataSection.Input(Dataset.SQUAD, dir.resolve("q.parquet").toString(), DataSection.Format.AUTO, "dev"),
                new DataSection.Input(Dataset.GSM8K, dir.resolve("*.parquet").toString(), DataSection.Format.PUBLISHED,
                        "train"));
        List<InputFile> files = InputFile.resolve(inputs, new Configuration());
        assertThat(files).extracting(f -> Path.of(java.net.URI.create(f.path())).getFileName().toString())
                .containsExactly("data-00000-of-00002.arrow", "data-00001-of-00002.arrow", "q.parquet", "q.parquet");
        assertThat(files).extracting(InputFile::kind).containsExactly(InputFile.Kind.HF_ARROW,
                InputFile.Kind.HF_ARROW, InputFile.Kind.PARQUET, InputFile.Kind.JSONL);
        assertThat(files.get(2).split()).isEqualTo("dev");

        assertThatThrownBy(() -> InputFile.resolve(List.of(new DataSection.Input(Dataset.GSM8K,
                dir.resolve("gone.jsonl").toString(), DataSection.Format.AUTO, "")), new Configuration()))
                .isInstanceOf(UnusableInputException.class).hasMessageContaining("data.inputs[0]")
                .hasMessageContaining("gone.jsonl").hasMessageContaining("does not exist");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> InputFile.resolve(List.of(new DataSection.Input(Dataset.GSM8K, empty.toString(),
                DataSection.Format.AUTO, "")), new Configuration()))
                .isInstanceOf(UnusableInputException.class).hasMessageContaining("no data files");
        Files.writeString(dir.resolve("data.txt"), "x");
        assertThatThrownBy(() -> InputFile.resolve(List.of(new DataSection.Input(Dataset.GSM8K,
                dir.resolve("data.txt").toString(), DataSection.Format.AUTO, "")), new Configuration()))
                .isInstanceOf(UnusableInputException.class).hasMessageContaining("data.txt")
                .hasMessageContaining("format");
    }
}
