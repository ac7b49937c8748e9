package org.meftspark.jobs.train;

import org.apache.spark.BarrierTaskContext;
import org.bytedeco.pytorch.TCPStore;
import org.meftspark.distributed.DataParallel;
import org.meftspark.distributed.ProcessGroupSpec;

/**
 * How the ranks of one variant find each other inside the training barrier stage (issue 17 item 1):
 * rank 0 serves a c10d store on a free port of its executor's host, every task of the stage says what it
 * serves through {@code BarrierTaskContext.allGather}, and each rank joins its variant's store and
 * process group (Gloo for CPU tensors, NCCL for CUDA). The store's keys are prefixed with the stage
 * attempt, so a retried stage never meets a previous attempt's ranks.
 *
 * <p>Every task of a barrier stage must call {@code allGather} the same number of times, or the callers
 * wait for the others forever: a one-rank variant in the same stage (zero-shot beside a two-rank MEFT,
 * found by running the quickstart's sweep with data_parallel 2) takes part with an empty message.
 */
final class Rendezvous {
    private Rendezvous() {
    }

    /** Joins the task's variant's ranks; a one-rank task only takes part in the stage's all-gather. */
    static DataParallel join(TrainTask task, boolean cuda) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        if (task.ranks() == 1) {
            ctx.allGather("");
            return DataParallel.single();
        }
        String myHost = host(ctx.getTaskInfos()[ctx.partitionId()].address());
        long timeoutMs = task.variant().config().training().collectiveTimeoutS() * 1000L;
        TCPStore served = task.rank() == 0 ? DataParallel.serveStore(timeoutMs) : null;
        try {
            String mine = served == null ? "" : task.name() + "\n" + myHost + "\n" + DataParallel.port(served);
            String storeHost = null;
            int storePort = 0;
            for (String m : ctx.allGather(mine)) {
                String[] p = m.split("\n");
                if (p.length == 3 && p[0].equals(task.name())) {
                    storeHost = p[1];
                    storePort = Integer.parseInt(p[2]);
                }
            }
            if (storeHost == null) {
                throw new IllegalStateException("train " + task.name() + ": rank 0 of the variant announced no store in "
                        + "the barrier stage (rank " + task.rank() + " of " + task.ranks() + ")");
            }
            ProcessGroupSpec spec = new ProcessGroupSpec(task.rank(), task.ranks(), storeHost, storePort, myHost, timeoutMs,
                    cuda ? ProcessGroupSpec.Backend.NCCL : ProcessGroupSpec.Backend.GLOO,
                    task.name() + "/stage-attempt-" + ctx.stageAttemptNumber());
            return DataParallel.join(spec, served);
        } catch (RuntimeException e) {
            if (served != null) {
                served.close();
            }
            throw e;
        }
    }

    /** The host of an executor address "host:port" (IPv6 hosts keep their colons). */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        String h = colon < 0 ? address : address.substring(0, colon);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }
}
