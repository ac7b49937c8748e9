package org.meftspark.doctor;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.meftspark.device.TorchRuntime;
import org.meftspark.distributed.DataParallel;
import org.meftspark.spark.Sessions;

/**
 * Checks that this machine can run meft-spark: Java, JVM flags, libtorch (with a
 * one-second matmul measurement), CUDA, the tokenizer native library, a local
 * SparkSession and disk space. Each check catches its own failure so one broken
 * part never hides the others.
 */
public final class Doctor {

    /** Below this much free disk in the work directory a CPU run is refused. */
    static final long MIN_FREE_BYTES = 1L << 30;
    /** Below this much free disk a warning is printed (shards, checkpoints, libtorch's cache). */
    static final long LOW_FREE_BYTES = 5L << 30;
    /** Side of the square matrices of the matmul measurement. */
    static final int MATMUL_N = 1024;

    private Doctor() {
    }

    /** Runs every check; {@code withSpark=false} skips the SparkSession start (a few seconds). */
    public static List<Check> run(Path workDir, boolean withSpark) {
        List<Check> checks = new ArrayList<>();
        checks.add(java());
        checks.add(jvmFlags());
        checks.add(environment());
        checks.addAll(libtorch());
        checks.add(tokenizer());
        if (withSpark) {
            checks.add(spark());
        }
        checks.add(disk(workDir));
        return checks;
    }

    static Check java() {
        Runtime.Version v = Runtime.version();
        String detail = v + " (" + System.getProperty("java.vendor") + ", " + System.getProperty("java.home") + ")";
        return v.feature() >= 17 ? Check.ok("java", detail)
                : Check.fail("java", detail, "install Java 17 or newer and put it first on PATH (or set JAVA_HOME)");
    }

    /** Arrow and Spark fail at run time without the module options of .mvn/jvm.config. */
    static Check jvmFlags() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (args.contains("--add-opens=java.base/java.nio=ALL-UNNAMED")) {
            return Check.ok("jvm flags", "Spark/Arrow module options present");
        }
        return Check.fail("jvm flags", "the JVM was started without Spark's module options",
                "start through bin/meft or bin/meft-submit, or pass java @.mvn/jvm.config");
    }

    static Check environment() {
        String omp = System.getenv("OMP_WAIT_POLICY");
        if (!"PASSIVE".equalsIgnoreCase(omp)) {
            return Check.warn("environment", "OMP_WAIT_POLICY=" + omp,
                    "set OMP_WAIT_POLICY=PASSIVE (bin/meft does, from conf/runtime.env): spinning OpenMP threads "
                            + "slowed adapter steps 1.2x to 4x on shared cores");
        }
        return Check.ok("environment", "OMP_WAIT_POLICY=PASSIVE, SPARK_LOCAL_IP=" + System.getenv("SPARK_LOCAL_IP"));
    }

    /**
     * OpenBLAS's pool runs libtorch's fp32 matrix products; fewer threads than libtorch's made every GEMM of a step
     * single-threaded (issue 20 item 1). -1: this JVM cannot read it (no jdk.incubator.foreign module).
     */
    static Check blas(int blasThreads, int torchThreads) {
        if (blasThreads < 0) {
            return Check.warn("blas", "OpenBLAS's thread count cannot be read or set in this JVM; OPENBLAS_NUM_THREADS "
                    + "decides it", "start the JVM with the flags of .mvn/jvm.config (--add-modules ...jdk.incubator.foreign)");
        }
        String what = blasThreads + " OpenBLAS thread(s) for libtorch's matrix products";
        return blasThreads < torchThreads
                ? Check.warn("blas", what + ", fewer than libtorch's " + torchThreads + ": products run slower than "
                        + "they could", "unset OPENBLAS_NUM_THREADS or raise it to the cores a task has")
                : Check.ok("blas", what);
    }

    /**
     * libtorch's CPU threads against the cores this JVM may use. libtorch counts physical cores with its own
     * CPU detection, which can count fewer than there are: on a 2-core AMD EPYC virtual machine (2026-12-05) it
     * chose 1 thread, in PyTorch 1.13 and 2.10 alike. Training tasks set their threads from Spark's task cpus;
     * everything else (benchmarks, generate, pretrain) runs with libtorch's choice.
     */
    static Check libtorch(String version, int threads, int cores) {
        String what = version + ", " + threads + " CPU threads of " + cores + " cores";
        return threads < cores
                ? Check.warn("libtorch", what + ": outside Spark training tasks, element-wise kernels use " + threads,
                        "if the machine's " + cores + " cores are physical (not hyper-threads), export OMP_NUM_THREADS="
                                + cores + " (bin/meft passes it on)")
                : Check.ok("libtorch", what);
    }

    static List<Check> libtorch() {
        List<Check> out = new ArrayList<>();
        try {
            String version = TorchRuntime.libtorchVersion();
            int threads = TorchRuntime.threads();
            out.add(libtorch(version + " (org.bytedeco:pytorch " + TorchRuntime.presetVersion() + ")", threads,
                    Runtime.getRuntime().availableProcessors()));
            out.add(blas(org.meftspark.device.BlasThreads.get(), threads));
            double gflops = TorchRuntime.cpuMatmulGflops(MATMUL_N, 1.0);
            out.add(Check.ok("matmul", String.format("%.1f GFLOP/s fp32 (%dx%d, about 1 s)", gflops, MATMUL_N,
                    MATMUL_N)));
            out.add(cuda(TorchRuntime.cudaDevices()));
            out.add(collectives(DataParallel.ncclUnavailableReason()));
        } catch (Throwable e) {
            // UnsatisfiedLinkError and friends: report, never crash the doctor.
            out.add(Check.fail("libtorch", "does not load: " + e,
                    "run 'mvn -DskipTests package' to fetch the CPU natives; the gpu build needs CUDA 13 on the host"));
        }
        return out;
    }

    static Check cuda(int devices) {
        if (devices == 0) {
            return Check.note("cuda", "not usable (CPU build of libtorch, or no GPU): training runs on the CPU");
        }
        return Check.ok("cuda", devices + " device(s): " + nvidiaSmi());
    }

    /**
     * training.data_parallel's backends: Gloo (CPU tensors) is in every build; NCCL (CUDA tensors) only
     * in the gpu build, and a GPU run with several ranks needs it.
     */
    static Check collectives(String ncclProblem) {
        if (ncclProblem != null) {
            return Check.note("collectives", "Gloo for data-parallel CPU training; NCCL not loadable ("
                    + ncclProblem.lines().findFirst().orElse("") + "): GPU runs with training.data_parallel > 1 need the "
                    + "gpu build (mvn -Pgpu)");
        }
        return Check.ok("collectives", "Gloo (CPU) and NCCL (GPU) load: training.data_parallel works on both");
    }

    private static String nvidiaSmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,name,memory.total",
                    "--format=csv,noheader").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "(nvidia-smi did not answer)";
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()
                    .replace("\n", "; ");
        } catch (IOException e) {
            return "(names unknown: nvidia-smi not found)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** Loads DJL's Rust tokenizer library offline and encodes with a tiny word-level tokenizer. */
    static Check tokenizer() {
        String json = """
                {"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,
                 "pre_tokenizer":{"type":"Whitespace"},"post_processor":null,"decoder":null,
                 "model":{"type":"WordLevel","vocab":{"[UNK]":0,"hello":1,"world":2},"unk_token":"[UNK]"}}
                """;
        try {
            Path file = Files.createTempFile("meft-doctor-tokenizer", ".json");
            try {
                Files.writeString(file, json);
                try (HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(file,
                        Map.of("addSpecialTokens", "false"))) {
                    Encoding e = t.encode("hello world");
                    long[] ids = e.getIds();
                    if (!Arrays.equals(ids, new long[] {1, 2})) {
                        return Check.fail("tokenizer", "native library loaded but encoded 'hello world' as "
                                + Arrays.toString(ids), "report this: the DJL tokenizers build is inconsistent");
                    }
                }
            } finally {
                Files.deleteIfExists(file);
            }
            return Check.ok("tokenizer", "DJL tokenizers native library loads (offline)");
        } catch (Throwable e) {
            return Check.fail("tokenizer", "native library does not load: " + e,
                    "check that ai.djl.huggingface:tokenizers is on the classpath and ~/.djl.ai is writable");
        }
    }

    static Check spark() {
        long start = System.nanoTime();
        try (SparkSession s = Sessions.create("meft-doctor", "local[1]", Map.of())) {
            long n = s.range(1000).count();
            double secs = (System.nanoTime() - start) / 1e9;
            if (n != 1000) {
                return Check.fail("spark", "local session counted " + n + " rows instead of 1000", "report this");
            }
            return Check.ok("spark", "local SparkSession " + s.version() + " started and ran a job in "
                    + String.format("%.1f s", secs));
        } catch (Throwable e) {
            return Check.fail("spark", "local SparkSession does not start: " + e,
                    "check the JVM flags (bin/meft sets them) and that 127.0.0.1 is usable");
        }
    }

    static Check disk(Path workDir) {
        try {
            Path existing = workDir.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return Check.fail("disk", "no existing parent of " + workDir, "create the work directory");
            }
            FileStore store = Files.getFileStore(existing);
            long free = store.getUsableSpace();
            String detail = String.format("%.1f GiB free under %s", free / (double) (1L << 30), workDir);
            if (free < MIN_FREE_BYTES) {
                return Check.fail("disk", detail, "free at least 1 GiB or choose another --work-dir");
            }
            if (!Files.isWritable(existing)) {
                return Check.fail("disk", existing + " is not writable", "choose a writable --work-dir");
            }
            if (free < LOW_FREE_BYTES) {
                return Check.warn("disk", detail, "shards and checkpoints may not fit; free at least 5 GiB");
            }
            return Check.ok("disk", detail);
        } catch (IOException e) {
            return Check.fail("disk", "cannot read free space of " + workDir + ": " + e.getMessage(),
                    "choose another --work-dir");
        }
    }

    /** 0 when nothing failed; a CPU run needs no GPU, so NOTE and WARN do not fail. */
    public static int exitCode(List<Check> checks) {
        return checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL) ? 1 : 0;
    }
}
