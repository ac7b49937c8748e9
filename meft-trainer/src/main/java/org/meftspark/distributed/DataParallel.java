package org.meftspark.distributed;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;

/**
 * This rank's place in a data-parallel run (issue 17) and the few collectives the trainer needs, on
 * libtorch's own c10d: a {@code TCPStore} served by rank 0 for the rendezvous, and a Gloo (CPU tensors)
 * or NCCL (CUDA tensors) process group for the sums. A run of one rank ({@link #single()}) has no
 * process group and every collective returns its input.
 *
 * <p>A run must never hang: every collective waits at most the spec's timeout, and when one fails
 * (a peer timed out, closed its connection, or died) the message names the rank that stopped
 * answering: before each collective a rank writes to the store how many it has entered and in which
 * step, and the ranks behind the waiting one are the ones that stopped.
 *
 * <p>Sums are element-wise over ranks; every rank receives the same bits (the backends reduce each
 * element once and send that result to all), so replicas updated from them stay identical.
 */
public final class DataParallel implements AutoCloseable {
    private final int rank;
    private final int worldSize;
    private final long timeoutMs;
    /*
     * Ownership of the native objects (probed, see close()): the preset allocates TCPStore and PrefixStore
     * with a plain new, and c10d adopts what it receives as an intrusive_ptr without counting the Java
     * handle. So this object holds the TCP store for the run's lifetime (when the garbage collector freed
     * it while the prefix store used it, PrefixStore::set crashed the JVM) and frees it last; the prefix
     * store belongs to the process group, which frees it.
     */
    /** the connection to rank 0's store (rank 0: the store it serves), or null for one rank */
    private final TCPStore tcp;
    /** the rendezvous store under this run's prefix, or null for one rank */
    private final Store store;
    /** the process group, or null for one rank */
    private final Backend group;
    private long step;
    /** collectives this rank has entered, for naming the rank that stopped answering */
    private long calls;

    private DataParallel(int rank, int worldSize, long timeoutMs, TCPStore tcp, Store store, Backend group) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeoutMs = timeoutMs;
        this.tcp = tcp;
        this.store = store;
        this.group = group;
    }

    /** One rank: no communication. */
    public static DataParallel single() {
        return new DataParallel(0, 1, 1, null, null, null);
    }

    /**
     * Rank 0's first move: serves the rendezvous store on a port the system picks, on all
     * interfaces; tell the other ranks {@link #port(TCPStore)} and then {@link #join} with it.
     */
    public static TCPStore serveStore(long timeoutMs) {
        TCPStoreOptions o = new TCPStoreOptions();
        o.port((short) 0);
        o.isServer(true);
        o.waitWorkers(false);
        o.useLibUV(false);
        o.timeout(new Milliseconds(timeoutMs));
        return new TCPStore("0.0.0.0", o);
    }

    /** The port a served store listens on. */
    public static int port(TCPStore server) {
        return server.getPort() & 0xffff;
    }

    /**
     * Joins the run: connects to the store (rank 0 passes the one it serves, others null) and builds the
     * process group, which waits until every rank has joined or the timeout passes. {@link #close} closes
     * the store too, the served one included.
     */
    public static DataParallel join(ProcessGroupSpec spec, TCPStore served) {
        if (spec.worldSize() == 1) {
            return single();
        }
        TCPStore tcp = served;
        if (tcp == null) {
            TCPStoreOptions o = new TCPStoreOptions();
            o.port((short) spec.storePort());
            o.isServer(false);
            o.waitWorkers(false);
            o.useLibUV(false);
            o.timeout(new Milliseconds(spec.timeoutMs()));
            try {
                tcp = new TCPStore(spec.storeHost(), o);
            } catch (RuntimeException e) {
                throw new CollectiveException("rank " + spec.rank() + " of " + spec.worldSize() + " cannot reach the "
                        + "rendezvous store of rank 0 at " + spec.storeHost() + ":" + spec.storePort() + " within "
                        + spec.timeoutMs() + " ms: " + firstLine(e) + "; check that executors reach each other on all ports, "
                        + "or raise training.collective_timeout_s", e);
            }
        }
        Store prefixed = new PrefixStore(spec.prefix(), tcp);
        Backend group;
        try {
            group = spec.backend() == ProcessGroupSpec.Backend.NCCL ? Nccl.group(prefixed, spec)
                    : gloo(prefixed, spec);
            prefixed.deallocate(false); // the group owns it now: Java must never free it as well
        } catch (RuntimeException e) {
            throw new CollectiveException("rank " + spec.rank() + " of " + spec.worldSize() + ": the process group did not "
                    + "form within " + spec.timeoutMs() + " ms (" + firstLine(e) + "); a rank did not start or cannot "
                    + "be reached at its executor's address", e);
        }
        return new DataParallel(spec.rank(), spec.worldSize(), spec.timeoutMs(), tcp, prefixed, group);
    }

    /**
     * Whether the NCCL backend can be used in this process: null when it loads, else why not (the CPU
     * build of org.bytedeco:pytorch has no NCCL; {@code mvn -Pgpu} builds the one that has).
     */
    public static String ncclUnavailableReason() {
        return Nccl.probe();
    }

    private static Backend gloo(Store store, ProcessGroupSpec spec) {
        ProcessGroupGloo.Options o = ProcessGroupGloo.Options.create(new Milliseconds(spec.timeoutMs()));
        o.devices(new GlooDeviceVector(ProcessGroupGloo.createDeviceForHostname(spec.localHost())));
        o.threads(1); // the ranks' compute threads are the cores; Gloo's own thread only moves bytes
        return new ProcessGroupGloo(store, spec.rank(), spec.worldSize(), o);
    }

    public int rank() {
        return rank;
    }

    public int worldSize() {
        return worldSize;
    }

    /** More than one rank. */
    public boolean distributed() {
        return worldSize > 1;
    }

    /** Tells this rank's collectives which step (1-based) they belong to, for the messages. */
    public void beginStep(long s) {
        step = s;
    }

    /** Sums {@code t} over ranks, in place. {@code what} names it in errors. */
    public void allReduceSum(Tensor t, String what) {
        if (group != null) {
            sum(t, "all-reduce of " + what);
        }
    }

    /** The one collective underneath: an element-wise sum, announced in the store first. */
    private void sum(Tensor t, String label) {
        calls++;
        store.set("progress/" + rank, calls + " " + step + " " + label);
        AllreduceOptions o = new AllreduceOptions();
        o.reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM));
        o.timeout(new Milliseconds(timeoutMs));
        await(group.allreduce(new TensorVector(t), o), label);
    }

    /** Sums a few doubles over ranks (the loss, token counts). */
    public double[] allReduceSum(double[] values, String what) {
        if (group == null) {
            return values.clone();
        }
        Tensor t = from_blob(new DoublePointer(values), new long[] {values.length}, new TensorOptions(ScalarType.Double))
                .clone();
        allReduceSum(t, what);
        double[] out = new double[values.length];
        t.contiguous().data_ptr_double().get(out);
        return out;
    }

    /** Every rank's value of one number, in rank order (an all-gather through an int64 sum: exact). */
    public long[] allGather(long value, String what) {
        long[] out = new long[worldSize];
        out[rank] = value;
        if (group == null) {
            return out;
        }
        Tensor t = from_blob(new LongPointer(out), new long[] {worldSize}, new TensorOptions(ScalarType.Long)).clone();
        allReduceSum(t, what);
        t.contiguous().data_ptr_long().get(out);
        return out;
    }

    /** Every rank's {@code values}, one row per rank (one collective however many values). */
    public long[][] allGather(long[] values, String what) {
        long[][] out = new long[worldSize][];
        if (group == null) {
            out[0] = values.clone();
            return out;
        }
        int n = values.length;
        long[] flat = new long[worldSize * n];
        System.arraycopy(values, 0, flat, rank * n, n);
        Tensor t = from_blob(new LongPointer(flat), new long[] {flat.length}, new TensorOptions(ScalarType.Long)).clone();
        allReduceSum(t, what);
        t.contiguous().data_ptr_long().get(flat);
        for (int r = 0; r < worldSize; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * n, (r + 1) * n);
        }
        return out;
    }

    /** Fails unless every rank holds the same {@code value}; the message lists each rank's. */
    public void requireSame(long value, String what) {
        long[] all = allGather(value, what);
        for (long v : all) {
            if (v != value) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < all.length; i++) {
                    b.append(i == 0 ? "" : ", ").append("rank ").append(i).append(": ").append(all[i]);
                }
                throw new CollectiveException("the ranks disagree on " + what + " (" + b + "); every rank must start "
                        + "from the same checkpoint and configuration");
            }
        }
    }

    /** Waits until every rank reaches this point. */
    public void barrier(String what) {
        if (group != null) {
            sum(zeros(1), "barrier " + what);
        }
    }

    private void await(Work w, String what) {
        long t0 = System.nanoTime();
        try {
            w._wait(new Milliseconds(timeoutMs));
        } catch (RuntimeException e) {
            double s = (System.nanoTime() - t0) / 1e9;
            throw new CollectiveException(String.format(Locale.ROOT, "the %s failed on rank %d of %d at step %d after %.1f s "
                    + "(timeout %.1f s): %s. %s", what, rank, worldSize, step, s, timeoutMs / 1e3, laggards(), firstLine(e)), e);
        }
    }

    /**
     * Names the ranks that stopped answering: those that entered fewer collectives than this rank (with the
     * last one they entered), or none; when the store itself cannot be reached, rank 0 (which serves it).
     */
    String laggards() {
        List<String> behind = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            if (r == rank) {
                continue;
            }
            String key = "progress/" + r;
            try {
                if (!store.check(new StringVector(key))) {
                    behind.add("rank " + r + " stopped answering (it entered no collective: still starting, e.g. copying "
                            + "the run directory? then raise training.collective_timeout_s)");
                    continue;
                }
                String[] at = store.get_to_str(key).split(" ", 3); // calls, step, what
                if (Long.parseLong(at[0]) < calls) {
                    behind.add("rank " + r + " stopped answering (its last collective: the " + at[2] + " of step " + at[1]
                            + ")");
                }
            } catch (RuntimeException e) {
                return "rank 0 stopped answering (its rendezvous store cannot be reached: " + firstLine(e) + ")";
            }
        }
        return behind.isEmpty() ? "every rank had entered this collective; one of them failed inside it"
                : String.join("; ", behind);
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * Shuts the process group down and frees it (and with it the prefix store it owns), then the TCP
     * store. Probed with two ranks training four runs in one JVM under garbage-collection pressure: this
     * order runs clean; also freeing the prefix store from Java corrupted the native heap.
     */
    @Override
    public void close() {
        if (group == null) {
            return;
        }
        try {
            group.shutdown();
        } catch (RuntimeException e) {
            // a peer already gone: nothing left to release on this side
        }
        group.close(); // frees the prefix store with it
        tcp.close();
    }

    /** A collective failed or timed out; the message names the rank that stopped answering. */
    public static final class CollectiveException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        CollectiveException(String message) {
            super(message);
        }

        CollectiveException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
