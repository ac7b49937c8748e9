package org.meftspark.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 6 for checkpoints, on a real small disk ({@link TinyDisk}: a tmpfs the kernel fills):
 * a checkpoint write that runs out of space, and one into a read-only file system, fail with an
 * error naming the checkpoint and the cause, remove their staging folder, and leave the earlier
 * checkpoint and {@code latest} intact and verifiable.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CheckpointResourceFaultTest {
    /** 64 Ki floats: a 256 KiB tensors file; the 400 KiB disk holds one checkpoint, not two. */
    static final int FLOATS = 64 * 1024;
    static final int DISK_KIB = 400;

    @TempDir
    Path tmp;

    @Test
    void diskFullAndReadOnlyDuringACheckpointWriteLeaveTheEarlierCheckpointIntact() throws Exception {
        TinyDisk.assumeAvailable();
        Path mount = tmp.resolve("disk");
        Path copy = tmp.resolve("copy");
        Path log = tmp.resolve("child.log");
        int rc = TinyDisk.run(mount, DISK_KIB, copy, log, CrashResumeTest.childJvm("512m", CheckpointWriteChild.class,
                mount.resolve("run").toString(), mount.toString(), String.valueOf(FLOATS), "2", "4", "ro", "6"));
        String out = Files.readString(log);
        System.out.println(out); // the messages, for docs/reliability.md
        assertThat(rc).as(out).isZero();

        assertThat(out).contains("step 2: ok");
        // The disk filled while step 4's tensors were written: the error names the checkpoint and the cause.
        assertThat(line(out, "step 4: ")).contains("failed:", mount.resolve("run/checkpoints/step-00000004").toString(),
                "No space left on device", "earlier checkpoints", "are unchanged").doesNotContain("could not remove");
        assertThat(out).contains("remount ro: exit 0");
        assertThat(line(out, "step 6: ")).contains("failed:", "step-00000006", "Read-only file system");

        Path run = copy.resolve("run");
        // Nothing of steps 4 and 6 is left, not even a staging folder: the full disk's space was given back.
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("step-00000002", "latest");
        }
        // latest still names step 2, whose files verify against SHA256SUMS and hold step 2's tensors.
        Path step2 = Checkpoints.latest(run).orElseThrow();
        assertThat(step2.getFileName().toString()).isEqualTo("step-00000002");
        assertThat(Checkpoints.readState(step2).step()).isEqualTo(2);
        List<Boolean> equal = new ArrayList<>();
        Checkpoints.readTensors(step2, m -> {
            Tensor want = CheckpointWriteChild.tensors(2, FLOATS).get("values");
            equal.add(m.get("values").equal(want));
        });
        assertThat(equal).containsExactly(true);
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line starting with '" + prefix + "')");
    }
}
