package org.meftspark.train;

import java.nio.file.Path;
import java.util.List;
import org.meftspark.config.RunConfig;
import org.meftspark.config.RunConfigLoader;
import org.meftspark.pretrain.Pretrainer;

/**
 * The pretraining process that {@link PretrainResumeTest} crashes: {@code meft pretrain}'s library call
 * on a configuration file. With {@code -Dmeft.test.haltAtStep=N} the JVM halts (as a kill would:
 * no shutdown hooks, no flush) right after step N's metrics line, between two checkpoints.
 * Args: config.yaml runDir modelOut.
 */
public final class PretrainChild {
    private PretrainChild() {
    }

    public static void main(String[] args) throws Exception {
        RunConfig c = RunConfigLoader.parse(java.nio.file.Files.readString(Path.of(args[0])), args[0], List.of());
        long haltAt = Long.getLong("meft.test.haltAtStep", -1L);
        TrainingListener halting = new TrainingListener() {
            @Override
            public void onStep(StepMetrics metrics) {
                if (metrics.step() == haltAt) {
                    Runtime.getRuntime().halt(137);
                }
            }
        };
        Pretrainer.run(c, Path.of(args[1]), Path.of(args[2]), halting);
        System.exit(0); // libtorch threads must not keep the JVM alive
    }
}
