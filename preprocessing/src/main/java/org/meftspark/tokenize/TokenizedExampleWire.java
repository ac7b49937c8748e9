package org.meftspark.tokenize;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.ObjectStreamException;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import org.meftspark.io.WireStrings;

/**
 * The serialized form of a {@link TokenizedExample} (serialization proxy, like
 * {@code org.meftspark.data.ExampleWire}; why: {@link WireStrings}). Token ids travel as one
 * byte block instead of an int at a time.
 */
final class TokenizedExampleWire implements Externalizable {
    private static final long serialVersionUID = 1L;
    /** No sequence is longer: bounds the allocation a damaged stream could ask for. */
    private static final int MAX_TOKENS = 1 << 24;
    private TokenizedExample example;

    /** For deserialization only. */
    public TokenizedExampleWire() {
    }

    TokenizedExampleWire(TokenizedExample example) {
        this.example = example;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        TokenizedExample e = example;
        WireStrings.write(out, e.id());
        WireStrings.write(out, e.dataset());
        WireStrings.write(out, e.split());
        int[] ids = e.inputIds();
        ByteBuffer b = ByteBuffer.allocate(ids.length * Integer.BYTES);
        b.asIntBuffer().put(ids);
        out.writeInt(ids.length);
        out.write(b.array());
        out.writeInt(e.promptLength());
        WireStrings.writeList(out, e.references());
        WireStrings.write(out, e.source());
        out.writeInt(e.truncatedTokens());
        WireStrings.write(out, e.question());
        out.writeBoolean(e.noAnswer());
        WireStrings.writeList(out, e.candidates());
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
        String id = WireStrings.read(in);
        String dataset = WireStrings.read(in);
        String split = WireStrings.read(in);
        int n = in.readInt();
        if (n < 0 || n > MAX_TOKENS) {
            throw new StreamCorruptedException("token count " + n);
        }
        byte[] bytes = new byte[n * Integer.BYTES];
        in.readFully(bytes);
        int[] ids = new int[n];
        ByteBuffer.wrap(bytes).asIntBuffer().get(ids);
        int promptLength = in.readInt();
        var references = WireStrings.readList(in);
        String source = WireStrings.read(in);
        int truncated = in.readInt();
        example = new TokenizedExample(id, dataset, split, ids, promptLength, references, source, truncated,
                WireStrings.read(in), in.readBoolean(), WireStrings.readList(in));
    }

    private Object readResolve() throws ObjectStreamException {
        return example;
    }
}
