package org.meftspark.distributed;

import java.io.Serializable;

/**
 * Where one rank of a data-parallel run finds its peers: the rendezvous store (a c10d {@code TCPStore}
 * that rank 0 serves) and the collective backend. Built by whoever starts the ranks (the Spark training
 * stage, tests) and handed to {@link DataParallel#join}.
 *
 * @param rank      this rank, 0 .. worldSize - 1
 * @param worldSize ranks in the run
 * @param storeHost host of rank 0's store
 * @param storePort port of rank 0's store
 * @param localHost this rank's own address, the one its peers reach it at (Gloo binds its device to it)
 * @param timeoutMs how long any collective, and the rendezvous, may wait before failing
 *                  ({@code training.collective_timeout_s})
 * @param backend   Gloo for CPU tensors, NCCL for CUDA tensors
 * @param prefix    a key prefix in the store, unique per run and attempt, so a retried stage never reads
 *                  a previous attempt's keys
 */
public record ProcessGroupSpec(int rank, int worldSize, String storeHost, int storePort, String localHost, long timeoutMs,
                               Backend backend, String prefix) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The collective library. */
    public enum Backend { GLOO, NCCL }

    public ProcessGroupSpec {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of " + worldSize + ": needs 0 <= rank < world size");
        }
        if (storePort < 1 || storePort > 65535) {
            throw new IllegalArgumentException("store port " + storePort + " out of range");
        }
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("collective timeout must be positive, got " + timeoutMs + " ms");
        }
    }
}
