package org.meftspark.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the configuration loader (issue 9): any text either loads or fails
 * with a {@link ConfigException} whose every line names where the problem is.
 */
class RunConfigFuzzTest {

    private static final String VALID = """
            run:
              name: fuzz
            data:
              inputs:
                - {dataset: squad, path: s.json}
            adapter:
              method: meft
              neurons: 4096
              top_k: 32
            training:
              learning_rate: 0.001
              epochs: 2
            spark:
              conf:
                spark.executor.memory: 2g
            """;

    private static void loadOrExplain(String text) {
        try {
            RunConfigLoader.parse(text, "fuzz.yaml", List.of());
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).containsAnyOf("fuzz.yaml", "--set"));
        }
    }

    @Property(tries = 1000)
    void arbitraryTextNeverEscapesAsAnotherException(@ForAll @Size(max = 300) String text) {
        loadOrExplain(text);
    }

    @Property(tries = 1000)
    void mutatedValidConfigsAreLoadedOrExplained(@ForAll @IntRange(min = 0, max = 100_000) int position,
                                                 @ForAll("yamlish") char c) {
        StringBuilder b = new StringBuilder(VALID);
        b.setCharAt(position % b.length(), c);
        loadOrExplain(b.toString());
    }

    @Property(tries = 500)
    void deletedSpansAreLoadedOrExplained(@ForAll @IntRange(min = 0, max = 100_000) int from,
                                          @ForAll @IntRange(min = 1, max = 40) int length) {
        int start = from % VALID.length();
        loadOrExplain(VALID.substring(0, start) + VALID.substring(Math.min(VALID.length(), start + length)));
    }

    @Provide
    Arbitrary<Character> yamlish() {
        return Arbitraries.of(':', '-', ' ', '\n', '[', ']', '{', '}', '&', '*', '!', '#', '|', '>', '"', '\'', '%',
                '@', '`', '?', ',', '0', 'x', '\t', '\u0000', '\uFFFF', 'é');
    }
}
