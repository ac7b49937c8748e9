package org.meftspark.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorTest {

    @Test
    void diskWithoutFreeSpaceFailsWithAdvice() {
        // procfs reports no usable space: the same verdict as a full disk.
        Check c = Doctor.disk(Path.of("/proc/meft-work"));
        assertThat(c.status()).isEqualTo(Check.Status.FAIL);
        assertThat(c.advice()).contains("--work-dir");
    }

    @Test
    void diskOfATempDirectoryIsFine(@TempDir Path dir) {
        assertThat(Doctor.disk(dir.resolve("not/yet/created")).status()).isIn(Check.Status.OK, Check.Status.WARN);
    }

    @Test
    void noGpuIsANoteNotAFailure() {
        Check c = Doctor.cuda(0);
        assertThat(c.status()).isEqualTo(Check.Status.NOTE);
        assertThat(Doctor.exitCode(List.of(Check.ok("a", ""), c, Check.warn("b", "", "x")))).isZero();
        assertThat(Doctor.exitCode(List.of(c, Check.fail("c", "", "y")))).isEqualTo(1);
    }

    @Test
    void theCpuBuildReportsThatNcclIsMissingAsANote() {
        String reason = org.meftspark.distributed.DataParallel.ncclUnavailableReason();
        assertThat(reason).as("the CPU build of org.bytedeco:pytorch has no NCCL").isNotNull();
        Check c = Doctor.collectives(reason);
        assertThat(c.status()).isEqualTo(Check.Status.NOTE);
        assertThat(c.detail()).contains("NCCL not loadable").contains("mvn -Pgpu");
        assertThat(Doctor.collectives(null).status()).isEqualTo(Check.Status.OK);
    }

    @Test
    void tokenizerAndTorchChecksPassInTheTestJvm() {
        assertThat(Doctor.tokenizer().status()).isEqualTo(Check.Status.OK);
        assertThat(Doctor.jvmFlags().status()).isEqualTo(Check.Status.OK);
        assertThat(Doctor.environment().status()).isEqualTo(Check.Status.OK);
    }

    @Test
    void libtorchWithFewerThreadsThanCoresIsAWarningWithTheFix() {
        assertThat(Doctor.libtorch("2.10.0", 2, 2).status()).isEqualTo(Check.Status.OK);
        Check fewer = Doctor.libtorch("2.10.0", 1, 2);
        assertThat(fewer.status()).isEqualTo(Check.Status.WARN);
        assertThat(fewer.detail()).contains("1 CPU threads of 2 cores");
        assertThat(fewer.advice()).contains("OMP_NUM_THREADS=2");
    }

    @Test
    void openBlasWithFewerThreadsThanLibtorchIsAWarningWithTheFix() {
        assertThat(Doctor.blas(2, 2).status()).isEqualTo(Check.Status.OK);
        Check fewer = Doctor.blas(1, 2);
        assertThat(fewer.status()).isEqualTo(Check.Status.WARN);
        assertThat(fewer.advice()).contains("OPENBLAS_NUM_THREADS");
        assertThat(Doctor.blas(-1, 2).advice()).contains(".mvn/jvm.config");
        // this JVM, with the project's flags and environment: OpenBLAS follows libtorch
        assertThat(Doctor.blas(org.meftspark.device.BlasThreads.get(), org.meftspark.device.TorchRuntime.threads())
                .status()).isEqualTo(Check.Status.OK);
    }
}
