package org.meftspark.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The flags and environment defined once reach the test JVM through the build (no second copy). */
class LaunchEnvironmentTest {

    private final LaunchEnvironment env = LaunchEnvironment.current();

    @Test
    void testJvmRunsWithEveryFlagOfJvmConfig() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertThat(env.jvmFlags()).contains("--add-opens=java.base/java.nio=ALL-UNNAMED")
                .anyMatch(f -> f.startsWith("-Dorg.bytedeco.javacpp.maxPhysicalBytes="));
        assertThat(args).containsAll(env.jvmFlags());
    }

    @Test
    void testJvmRunsWithEveryVariableOfRuntimeEnv() {
        assertThat(env.environment()).containsEntry("OMP_WAIT_POLICY", "PASSIVE")
                .containsEntry("SPARK_LOCAL_IP", "127.0.0.1");
        env.environment().forEach((k, v) -> assertThat(System.getenv(k)).as(k).isEqualTo(v));
    }
}
