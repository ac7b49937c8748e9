package org.meftspark.meft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.meftspark.device.ComputeDevice;
import org.meftspark.distributed.DataParallel;
import org.meftspark.distributed.ProcessGroupSpec;

/**
 * Issue 17 item 4 on two ranks (threads joined by a real Gloo group): the union of touched rows becomes
 * every rank's touched set, its gradient rows are summed (zeros from a rank that did not touch a row), the
 * rows nobody touched stay zero, and the bytes are the ids plus |U| x d x 2 x 4, not N x d x 2 x 4.
 */
@Timeout(120)
class SparseRowExchangeTest {
    private static final long N = 4096;
    private static final long D = 8;

    /** Rank r's store after it touched {@code rows[r]} with gradient value r + 1 (keys) and 10 (r + 1) (values). */
    private static HostNeuronStore touched(int rank, long[] rows) {
        HostNeuronStore s = HostNeuronStore.allocate(2, N, D, false, 0.1, 5, ScalarType.Float, ComputeDevice.cpu(), 1L << 30);
        for (int l = 0; l < 2; l++) {
            HostNeuronStore.Layer layer = s.layer(l);
            Tensor idx = org.bytedeco.pytorch.global.torch.tensor(rows);
            layer.keyGrad.index_fill_(0, idx, new Scalar(rank + 1.0));
            layer.valueGrad.index_fill_(0, idx, new Scalar(10.0 * (rank + 1)));
            layer.touched.index_fill_(0, idx, new Scalar(1));
        }
        return s;
    }

    @Test
    void theUnionsRowsAreSummedOnEveryRankAndOnlyThey() throws Exception {
        long[][] rows = {{1, 5}, {5, 9}};
        TCPStore server = DataParallel.serveStore(20_000);
        int port = DataParallel.port(server);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Object[]>> f = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                final int rank = r;
                f.add(pool.submit(() -> {
                    HostNeuronStore s = touched(rank, rows[rank]);
                    try (DataParallel dp = DataParallel.join(new ProcessGroupSpec(rank, 2, "127.0.0.1", port, "127.0.0.1",
                            20_000, ProcessGroupSpec.Backend.GLOO, "sparse"), rank == 0 ? server : null)) {
                        long bytes = SparseRowExchange.allReduce(dp, s);
                        return new Object[] {s, bytes};
                    }
                }));
            }
            for (Future<Object[]> fut : f) {
                Object[] out = fut.get(100, TimeUnit.SECONDS);
                HostNeuronStore s = (HostNeuronStore) out[0];
                // per layer: ids [2 ranks, 2 rows] int64 + rows [|U| = 3, 2d] float32
                assertThat((long) out[1]).isEqualTo(2 * (2 * 2 * 8 + 3 * 2 * D * 4));
                assertThat(SparseRowExchange.denseBytes(s)).isEqualTo(2 * 2 * N * D * 4);
                for (int l = 0; l < 2; l++) {
                    HostNeuronStore.Layer layer = s.layer(l);
                    assertThat(layer.touched.nonzero().reshape(-1).sum().item_long()).isEqualTo(1 + 5 + 9);
                    assertThat(layer.keyGrad.select(0, 1).sum().item_double()).isEqualTo(1.0 * D);
                    assertThat(layer.keyGrad.select(0, 5).sum().item_double()).isEqualTo(3.0 * D);
                    assertThat(layer.keyGrad.select(0, 9).sum().item_double()).isEqualTo(2.0 * D);
                    assertThat(layer.valueGrad.select(0, 5).sum().item_double()).isEqualTo(30.0 * D);
                    assertThat(layer.valueGrad.abs().sum().item_double()).as("nothing else moved")
                            .isEqualTo((10 + 30 + 20) * D);
                    assertThat(layer.everTouched.nonzero().size(0)).isEqualTo(3);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
