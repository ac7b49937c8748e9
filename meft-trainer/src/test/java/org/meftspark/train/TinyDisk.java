package org.meftspark.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real full or read-only disk for a child process, without root: {@code unshare -rm} gives the
 * child its own user and mount namespace, where it may mount a tmpfs of a few hundred KiB, so the
 * kernel itself answers ENOSPC ("No space left on device") or EROFS. The mount is visible only to
 * the child; its contents are copied out when the command ends, for the test to inspect.
 */
public final class TinyDisk {
    private TinyDisk() {
    }

    /** Skips the calling test, with the reason, where such a disk cannot be had. */
    public static void assumeAvailable() {
        String why = unavailableBecause();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: a tiny tmpfs needs user namespaces: " + why);
    }

    /** Why such a disk cannot be had here, or null when it can (unshare present and user namespaces allowed). */
    public static String unavailableBecause() {
        try {
            Process p = new ProcessBuilder("unshare", "-rm", "true").redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unshare -rm did not finish";
            }
            return p.exitValue() == 0 ? null
                    : "unshare -rm failed (user namespaces disabled?): " + new String(p.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "no unshare command: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Runs {@code command} with a tmpfs of {@code kib} KiB mounted at {@code mount}; afterwards the
     * mount's contents are copied to {@code copyTo}. Returns the command's exit code; its output goes
     * to {@code log}.
     */
    public static int run(Path mount, int kib, Path copyTo, Path log, List<String> command) throws Exception {
        Files.createDirectories(mount);
        Files.createDirectories(copyTo);
        List<String> cmd = new ArrayList<>(List.of("unshare", "-rm", "sh", "-c",
                "mount -t tmpfs -o size=" + kib + "k meft-tiny \"$1\" || exit 90; d=$1; o=$2; shift 2; "
                        + "\"$@\"; rc=$?; cp -a \"$d\"/. \"$o\"/ || exit 91; exit $rc",
                "sh", mount.toString(), copyTo.toString()));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child on a tiny disk did not finish in 180 s; log:\n" + Files.readString(log));
        }
        return p.exitValue();
    }
}
