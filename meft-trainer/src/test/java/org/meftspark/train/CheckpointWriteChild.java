package org.meftspark.train;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Writes checkpoints into a run directory on a {@link TinyDisk}, one per argument after the first
 * three: a step number writes that checkpoint, {@code ro} remounts the disk read-only. Prints
 * {@code step N: ok} or {@code step N: failed: MESSAGE} per step, for the test to check.
 * Args: runDir mountPoint floatsPerTensor actions...
 */
public final class CheckpointWriteChild {
    private CheckpointWriteChild() {
    }

    /** The tensors of step {@code step}: deterministic, so the test can recompute and compare them. */
    static Map<String, Tensor> tensors(long step, int floats) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("values", org.bytedeco.pytorch.global.torch.arange(new org.bytedeco.pytorch.Scalar(floats))
                .to(ScalarType.Float).add(new org.bytedeco.pytorch.Scalar((double) step)));
        return t;
    }

    public static void main(String[] args) throws Exception {
        Path runDir = Path.of(args[0]);
        int floats = Integer.parseInt(args[2]);
        for (int i = 3; i < args.length; i++) {
            if (args[i].equals("ro")) {
                Process p = new ProcessBuilder("mount", "-o", "remount,ro", args[1]).inheritIO().start();
                System.out.println("remount ro: exit " + p.waitFor());
                continue;
            }
            long step = Long.parseLong(args[i]);
            try {
                Checkpoints.write(runDir, step, tensors(step, floats), TestStates.state(step, 0, 0), null);
                System.out.println("step " + step + ": ok");
            } catch (UncheckedIOException e) {
                System.out.println("step " + step + ": failed: " + e.getMessage());
            }
        }
        System.out.flush();
        System.exit(0); // libtorch threads must not keep the JVM alive
    }
}
