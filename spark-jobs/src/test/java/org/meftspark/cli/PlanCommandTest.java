package org.meftspark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meftspark.adapters.DeviceFootprint;
import org.meftspark.config.ModelSection;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.model.ModelConfig;
import org.meftspark.spark.LaunchEnvironment;
import org.meftspark.train.Adaptations;
import org.meftspark.train.MemoryPlan;

/** {@code meft plan} (issue 19 item 5): its numbers are DeviceFootprint's, and the examples' comments are its output. */
class PlanCommandTest {
    private static final Path ROOT = LaunchEnvironment.current().root();

    private static String[] meft(int expectedCode, String... args) {
        return ModelCommandsTest.meft(expectedCode, args);
    }

    /** The lines of the "# Memory plan:" comment block, without their "#   " prefix. */
    static List<String> commentedPlan(Path yaml) throws IOException {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(yaml)) {
            if (line.equals("# Memory plan:")) {
                in = true;
            } else if (in && line.startsWith("#   ")) {
                out.add(line.substring(4));
            } else if (in) {
                break;
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-7b-nq-meft:llama-7b", "mistral-7b-nq-meft:mistral-7b-v0.1",
            "llama-3.1-8b-nq-meft:llama-3.1-8b"})
    void eachExampleCarriesThePlanItPrints(String pair) throws IOException {
        String[] p = pair.split(":");
        Path yaml = ROOT.resolve("conf/examples/" + p[0] + ".yaml");
        Path model = ROOT.resolve("conf/models/families/" + p[1] + ".json");
        String printed = meft(0, "plan", "--model", model.toString(), "--config", yaml.toString())[0];
        assertThat(commentedPlan(yaml)).as("the comment of %s; the plan prints:%n%s", yaml, printed)
                .isEqualTo(printed.lines().toList());
        // and the configuration itself is valid
        meft(0, "config", "check", yaml.toString());
    }

    @Test
    void onEveryFamilyFixtureTheDeviceColumnsAreDeviceFootprint() throws IOException {
        Path yaml = ROOT.resolve("conf/examples/llama-7b-nq-meft.yaml");
        RunConfig c = RunConfigLoader.load(yaml, List.of());
        List<Path> families;
        try (Stream<Path> s = Files.list(ROOT.resolve("conf/models/families"))) {
            families = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(families).hasSizeGreaterThanOrEqualTo(9);
        for (Path f : families) {
            ModelConfig m = ModelConfig.read(f);
            String printed = meft(0, "plan", "--model", f.toString(), "--config", yaml.toString())[0];
            List<PlanCommand.Row> rows = PlanCommand.rows(m, c, RunConfigLoader.variants(Files.readString(yaml), "t", List.of()));
            assertThat(rows).extracting(PlanCommand.Row::name).containsExactly("meft", "dense_pa_same_n", "lora");
            for (PlanCommand.Row r : rows) {
                DeviceFootprint expected = Adaptations.footprint(r.adapter(), m,
                        MemoryPlan.parameters(m) * (c.model().dtype() == ModelSection.Dtype.FLOAT16 ? 2 : 4), 4);
                assertThat(r.plan().device()).as(f + " " + r.name()).isEqualTo(expected);
                String row = printed.lines().filter(l -> l.startsWith("| " + r.name() + " |")).findFirst().orElseThrow();
                assertThat(row).as(f.toString()).contains(String.format(java.util.Locale.ROOT, "| %.2f |", expected.total() / (double) (1L << 30)));
            }
        }
    }

    @Test
    void aSweepIsPlannedPerVariantAndAFolderIsAcceptedForModel() throws IOException {
        Path dir = Files.createTempDirectory("plan");
        Files.copy(ROOT.resolve("conf/models/families/tinyllama-1.1b-chat-v1.0.json"), dir.resolve("config.json"));
        Path yaml = dir.resolve("sweep.yaml");
        Files.writeString(yaml, """
                model: {path: %s, dtype: bfloat16}
                adapter: {method: meft, neurons: 4096, union_cap: 1024}
                run:
                  sweep:
                    - {name: meft_small, set: [adapter.neurons=2048]}
                    - {name: pa, set: [adapter.method=parallel_adapter]}
                    - {name: full, set: [adapter.method=full]}
                """.formatted(dir));
        String out = meft(0, "plan", "--config", yaml.toString())[0];
        assertThat(out).contains("LlamaForCausalLM, 1.10B parameters, 22 layers").contains("frozen weights bfloat16");
        assertThat(out.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| variant")).map(l -> l.split(" \\| ")[0]))
                .containsExactly("| meft_small", "| pa", "| full", "| lora");
        assertThat(meft(2, "plan", "--model", dir.resolve("absent").toString(), "--config", yaml.toString())[1])
                .contains("does not exist");
    }
}
