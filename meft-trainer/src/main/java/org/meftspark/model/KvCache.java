package org.meftspark.model;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Keys and values of every layer for the slots generated so far, so each new token costs one
 * token's forward pass. Slots are batch-aligned: row b's slot j is padding when
 * {@code keyValid[b, j]} is false (left padding of prompts of different lengths).
 */
public final class KvCache {
    /** per layer: rotated keys [B, KV, S, hd]; null before the first forward */
    private final Tensor[] keys;
    /** per layer: values [B, KV, S, hd] */
    private final Tensor[] values;
    /** [B, S] bool: false at padding slots; null while empty */
    private Tensor keyValid;
    /** [B] int64: the rotary position the next valid token of each row gets */
    private Tensor nextPosition;

    public KvCache(int layers) {
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
    }

    /** Slots held (S), padding included. */
    public long length() {
        return keyValid == null ? 0 : keyValid.size(1);
    }

    Tensor keyValid() {
        return keyValid;
    }

    Tensor nextPosition() {
        return nextPosition;
    }

    /** Appends layer {@code l}'s new keys/values [B, KV, T, hd]; returns all of them [B, KV, S+T, hd]. */
    Tensor[] append(int l, Tensor k, Tensor v) {
        keys[l] = keys[l] == null ? k : cat(new TensorVector(keys[l], k), 2);
        values[l] = values[l] == null ? v : cat(new TensorVector(values[l], v), 2);
        return new Tensor[] {keys[l], values[l]};
    }

    /** Records the validity and positions of the slots just appended to every layer. */
    void commit(Tensor allKeyValid, Tensor newNextPosition) {
        keyValid = allKeyValid;
        nextPosition = newNextPosition;
    }

    /**
     * Reorders the batch rows (beam search: row i becomes old row {@code rows[i]}).
     *
     * @param rows [B'] int64 indices into the current rows
     */
    public void selectRows(Tensor rows) {
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l] = keys[l].index_select(0, rows);
                values[l] = values[l].index_select(0, rows);
            }
        }
        if (keyValid != null) {
            keyValid = keyValid.index_select(0, rows);
            nextPosition = nextPosition.index_select(0, rows);
        }
    }

    /** Bytes of the cached keys and values (for the memory ledger's activation category). */
    public long bytes() {
        long n = 0;
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                n += keys[l].nbytes() + values[l].nbytes();
            }
        }
        return n;
    }
}
