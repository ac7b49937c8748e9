package org.meftspark.io;

import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * Strings and string lists for hand-written {@link java.io.Externalizable} wire forms.
 *
 * <p>Why: Spark moves examples between stages with Java serialization (shuffles, serialized
 * caches). Default serialization of a record goes through reflection and a canonical-constructor
 * call per object, and was the largest Java cost of the preprocessing job in a profile
 * (docs/benchmarks.md, "Preprocessing"). A wire form writes the same values directly.
 *
 * <p>{@link ObjectOutput#writeUTF} encodes each UTF-16 unit on its own (lone surrogates
 * included, unlike {@code getBytes(UTF_8)}) but refuses more than 65,535 bytes, so long strings
 * go in chunks of {@link #CHUNK} chars (at most 3 bytes each).
 */
public final class WireStrings {
    static final int CHUNK = 65_535 / 3;

    private WireStrings() {
    }

    /** Writes {@code s}: its length, then chunks of modified UTF-8. */
    public static void write(ObjectOutput out, String s) throws IOException {
        int n = s.length();
        out.writeInt(n);
        for (int i = 0; i < n; i += CHUNK) {
            out.writeUTF(n <= CHUNK ? s : s.substring(i, Math.min(n, i + CHUNK)));
        }
    }

    /** Reads what {@link #write} wrote. */
    public static String read(ObjectInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new java.io.StreamCorruptedException("negative string length " + n);
        }
        if (n <= CHUNK) {
            return n == 0 ? "" : in.readUTF();
        }
        StringBuilder b = new StringBuilder(Math.min(n, 1 << 20));
        while (b.length() < n) {
            b.append(in.readUTF());
        }
        if (b.length() != n) {
            throw new java.io.StreamCorruptedException("string of " + b.length() + " chars, expected " + n);
        }
        return b.toString();
    }

    /** Writes a list of strings: its size, then each string. */
    public static void writeList(ObjectOutput out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            write(out, s);
        }
    }

    /** Reads what {@link #writeList} wrote, as a mutable list. */
    public static List<String> readList(ObjectInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new java.io.StreamCorruptedException("negative list size " + n);
        }
        // Capacity capped: the size comes from the stream, the elements prove it.
        List<String> out = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            out.add(read(in));
        }
        return out;
    }
}
