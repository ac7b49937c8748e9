package org.meftspark.distributed;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Sums the gradients of dense trainables over ranks (issue 17 item 3), as DDP does: the gradients,
 * in the parameters' fixed order, are packed into flat buckets of at most {@link #BUCKET_BYTES}
 * (one collective per bucket instead of one per tensor), summed, and copied back. A parameter
 * without a gradient this step gets a zero one, which is what the device AdamW reads for it anyway.
 */
public final class GradientBuckets {
    /** PyTorch DDP's default bucket size: large enough to amortise a collective's latency. */
    public static final long BUCKET_BYTES = 25L << 20;

    private GradientBuckets() {
    }

    /** Sums every parameter's gradient over ranks in place; returns the bytes this rank sent into the sums. */
    public static long allReduce(DataParallel dp, Collection<Tensor> params, long bucketBytes, String what) {
        List<Tensor> bucket = new ArrayList<>();
        long bytes = 0;
        long total = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (!g.defined()) {
                p.mutable_grad().put(zeros_like(p));
                g = p.grad();
            }
            boolean other = !bucket.isEmpty() && bucket.get(0).scalar_type().intern() != g.scalar_type().intern();
            if (!bucket.isEmpty() && (other || bytes + g.nbytes() > bucketBytes)) {
                total += flush(dp, bucket, what);
                bucket.clear();
                bytes = 0;
            }
            bucket.add(g);
            bytes += g.nbytes();
        }
        if (!bucket.isEmpty()) {
            total += flush(dp, bucket, what);
        }
        return total;
    }

    /** Flat [sum of numel] copy of a bucket, summed, and written back into each gradient. */
    private static long flush(DataParallel dp, List<Tensor> grads, String what) {
        TensorVector flat = new TensorVector();
        for (Tensor g : grads) {
            flat.push_back(g.reshape(-1));
        }
        Tensor sum = cat(flat); // [sum of numel]
        dp.allReduceSum(sum, what);
        long offset = 0;
        for (Tensor g : grads) {
            long n = g.numel();
            g.copy_(sum.narrow(0, offset, n).view(g.sizes()));
            offset += n;
        }
        return sum.nbytes();
    }
}
