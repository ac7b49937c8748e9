package org.meftspark.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.meftspark.adapters.Adaptation;
import org.meftspark.adapters.AdapterConfig;
import org.meftspark.adapters.lora.PeftExport;

/**
 * Prepares a run directory for training: a fresh start, or a resume from its latest checkpoint.
 * A fresh start refuses a directory that already holds a run (training over it would mix two runs'
 * checkpoints) and clears what a run killed before its first checkpoint left. A resume checks that
 * the checkpoint belongs to this run, restores the method's tensors, and drops the metrics of steps
 * after it (they will be run again).
 */
final class RunStart {
    private RunStart() {
    }

    /**
     * Creates {@code runDir} if needed and returns the state training starts from. Only the {@code writer}
     * (rank 0 of a data-parallel run) creates, clears or truncates anything; other ranks only read the
     * checkpoint they resume from.
     */
    static TrainState prepare(Path runDir, boolean resume, TrainingRun run, AdapterConfig adapter, Adaptation adaptation,
                              boolean writer) {
        if (!writer) {
            return resume ? restore(runDir, run, adapter, adaptation) : TrainState.start(run);
        }
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + runDir + ": " + e.getMessage(), e);
        }
        TrainState state = resume ? resume(runDir, run, adapter, adaptation) : fresh(runDir, run);
        Checkpoints.removeLeftovers(runDir); // a killed run's staging folders
        PeftExport.removeLeftovers(runDir);
        return state;
    }

    private static TrainState resume(Path runDir, TrainingRun run, AdapterConfig adapter, Adaptation adaptation) {
        TrainState state = restore(runDir, run, adapter, adaptation);
        MetricsFile.keepUpTo(runDir, state.step());
        return state;
    }

    /** Checks the latest checkpoint against this run and loads its tensors; writes nothing. */
    private static TrainState restore(Path runDir, TrainingRun run, AdapterConfig adapter, Adaptation adaptation) {
        Path checkpoint = Checkpoints.latest(runDir).orElseThrow(() -> new IllegalStateException(
                "resume requested but " + runDir.resolve("checkpoints") + " holds no checkpoint; start without resume"));
        TrainState state = Checkpoints.readState(checkpoint);
        run.requireSameAs(state.run(), checkpoint);
        // A checkpoint from before adapter.json (2026-12-05) is checked by the run fields above only.
        Checkpoints.readAdapter(checkpoint).ifPresent(written -> {
            java.util.List<String> d = written.differences(adapter);
            if (!d.isEmpty()) {
                throw new IllegalStateException(checkpoint + " holds an adapter trained with other settings (checkpoint vs "
                        + "this run: " + String.join("; ", d) + "); resume with the configuration it was trained with, "
                        + "or start a new run directory");
            }
        });
        Checkpoints.readTensors(checkpoint, adaptation::load);
        return new TrainState(run, state.step(), state.epoch(), state.nextRow(), state.badStreak(), state.badTotal(),
                state.tokensSeen());
    }

    private static TrainState fresh(Path runDir, TrainingRun run) {
        Checkpoints.latest(runDir).ifPresent(p -> {
            throw new IllegalStateException(runDir + " already holds a run (" + p.getFileName()
                    + "); resume it or choose a new run directory");
        });
        MetricsFile.startFresh(runDir);
        return TrainState.start(run);
    }
}
