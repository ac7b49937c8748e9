package org.meftspark.model;

import static org.bytedeco.pytorch.global.torch.*;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * Keys and values of every layer for the slots generated so far, so each new token costs one
 * token's forward pass. Slots are batch-aligned: row b's slot j is padding when
 * {@code keyValid[b, j]} is false (left padding of prompts of different lengths).
 *
 * <p>The keys and values live in buffers with room for more slots than are held, written in place
 * as tokens arrive: concatenating the whole cache with each new token copied it every step and
 * allocated a fresh cache-sized tensor, whose first touch of new pages cost more than the copy
 * (a {@code perf} profile of beam search put the two at a third of its time; docs/benchmarks.md).
 * A buffer that fills up doubles.
 */
public final class KvCache {
    /** per layer: rotated keys [B, KV, capacity, hd]; slots at and beyond {@link #length()} unused; null before the first forward */
    private final Tensor[] keys;
    /** per layer: values [B, KV, capacity, hd] */
    private final Tensor[] values;
    /** slots to allocate beyond the first forward's (the tokens still to come, when known) */
    private final long reserve;
    /** [B, S] bool: false at padding slots; null while empty */
    private Tensor keyValid;
    /** [B] int64: the rotary position the next valid token of each row gets */
    private Tensor nextPosition;

    /** A cache that grows as tokens arrive. */
    public KvCache(int layers) {
        this(layers, 0);
    }

    /**
     * @param reserve slots to allocate beyond the first forward's, e.g. the most tokens generation
     *                will add, so that the buffers never grow
     */
    public KvCache(int layers, long reserve) {
        if (reserve < 0) {
            throw new IllegalArgumentException("reserve must be >= 0, got " + reserve);
        }
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        this.reserve = reserve;
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

    /**
     * Writes layer {@code l}'s new keys/values [B, KV, T, hd] after the {@link #length()} slots held;
     * returns views of all of them [B, KV, S+T, hd] (not contiguous when the buffer has spare room).
     */
    Tensor[] append(int l, Tensor k, Tensor v) {
        long held = length(), t = k.size(2), need = held + t;
        if (keys[l] == null) {
            keys[l] = buffer(k, need + reserve);
            values[l] = buffer(v, need + reserve);
        } else if (need > keys[l].size(2)) {
            long capacity = Math.max(need, 2 * keys[l].size(2));
            keys[l] = grown(keys[l], held, capacity);
            values[l] = grown(values[l], held, capacity);
        }
        keys[l].narrow(2, held, t).copy_(k);
        values[l].narrow(2, held, t).copy_(v);
        return new Tensor[] {keys[l].narrow(2, 0, need), values[l].narrow(2, 0, need)};
    }

    /** An empty buffer shaped like {@code like} [B, KV, T, hd] with {@code slots} slots. */
    private static Tensor buffer(Tensor like, long slots) {
        return like.new_empty(like.size(0), like.size(1), slots, like.size(3));
    }

    private static Tensor grown(Tensor buf, long held, long slots) {
        Tensor bigger = buf.new_empty(buf.size(0), buf.size(1), slots, buf.size(3));
        bigger.narrow(2, 0, held).copy_(buf.narrow(2, 0, held));
        return bigger;
    }

    /** Records the validity and positions of the slots just appended to every layer. */
    void commit(Tensor allKeyValid, Tensor newNextPosition) {
        keyValid = allKeyValid;
        nextPosition = newNextPosition;
    }

    /**
     * Copies whole rows in place (beam search: a beam that continues from another's prefix takes a
     * copy of that row): row {@code to[i]} becomes what row {@code from[i]} holds. No row may be
     * both a source and a destination, so the order of the copies does not matter.
     */
    public void copyRows(long[] from, long[] to) {
        if (from.length != to.length) {
            throw new IllegalArgumentException(from.length + " source rows for " + to.length + " destinations");
        }
        long held = length();
        for (int i = 0; i < from.length; i++) {
            for (int l = 0; l < keys.length; l++) {
                if (keys[l] != null) {
                    copyRow(keys[l].narrow(2, 0, held), from[i], to[i]);
                    copyRow(values[l].narrow(2, 0, held), from[i], to[i]);
                }
            }
            if (keyValid != null) {
                copyRow(keyValid, from[i], to[i]);
                copyRow(nextPosition, from[i], to[i]);
            }
        }
    }

    /**
     * Repeats every row {@code times} times in place of the row (row b becomes rows b*times .. b*times+times-1),
     * spare slots kept: beam search runs each prompt's pass once and gives every beam of it a copy, where running
     * the prompt once per beam cost K times the prompt's work.
     */
    public void repeatRows(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be >= 1, got " + times);
        }
        if (times == 1 || keyValid == null) {
            return;
        }
        long held = length();
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l] = repeated(keys[l], times, held);
                values[l] = repeated(values[l], times, held);
            }
        }
        keyValid = repeated(keyValid, times);
        nextPosition = repeated(nextPosition, times);
    }

    /** {@code t} with each row repeated {@code times} times, copies side by side (0,0,..,1,1,..). */
    private static Tensor repeated(Tensor t, int times) {
        return t.repeat_interleave(times, new LongOptional(0), new LongOptional());
    }

    /** A buffer [B*times, KV, capacity, hd] holding each row's first {@code held} slots {@code times} times. */
    private static Tensor repeated(Tensor buf, int times, long held) {
        Tensor out = buf.new_empty(buf.size(0) * times, buf.size(1), buf.size(2), buf.size(3));
        out.narrow(2, 0, held).copy_(repeated(buf.narrow(2, 0, held), times));
        return out;
    }

    private static void copyRow(Tensor t, long from, long to) {
        t.select(0, to).copy_(t.select(0, from));
    }

    /** Bytes allocated for keys and values, spare slots included (the memory ledger's activation category). */
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
