package org.meftspark.data;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.ObjectStreamException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.meftspark.io.WireStrings;

/**
 * The serialized form of an {@link Example} (serialization proxy: {@code Example.writeReplace}
 * writes this, {@link #readResolve} rebuilds the example through its validating constructor).
 * Why it exists: see {@link WireStrings}.
 */
final class ExampleWire implements Externalizable {
    private static final long serialVersionUID = 1L;
    private Example example;

    /** For deserialization only. */
    public ExampleWire() {
    }

    ExampleWire(Example example) {
        this.example = example;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        Example e = example;
        WireStrings.write(out, e.id());
        out.writeByte(e.dataset().ordinal());
        WireStrings.write(out, e.split());
        out.writeInt(e.fields().size());
        for (Map.Entry<String, String> f : e.fields().entrySet()) {
            WireStrings.write(out, f.getKey());
            WireStrings.write(out, f.getValue());
        }
        WireStrings.write(out, e.target());
        WireStrings.writeList(out, e.references());
        WireStrings.write(out, e.source().file());
        out.writeLong(e.source().line());
        out.writeLong(e.source().index());
        WireStrings.write(out, e.source().path());
        out.writeBoolean(e.noAnswer());
        out.writeInt(e.answerStart());
        WireStrings.writeList(out, e.candidates());
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
        String id = WireStrings.read(in);
        int ordinal = in.readByte();
        Dataset[] all = Dataset.values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new java.io.StreamCorruptedException("dataset ordinal " + ordinal);
        }
        String split = WireStrings.read(in);
        int nFields = in.readInt();
        if (nFields < 0 || nFields > all[ordinal].promptFields().size()) {
            throw new java.io.StreamCorruptedException("field count " + nFields);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < nFields; i++) {
            fields.put(WireStrings.read(in), WireStrings.read(in));
        }
        String target = WireStrings.read(in);
        var references = WireStrings.readList(in);
        SourceLocation source = new SourceLocation(WireStrings.read(in), in.readLong(), in.readLong(),
                WireStrings.read(in));
        boolean noAnswer = in.readBoolean();
        int answerStart = in.readInt();
        var candidates = WireStrings.readList(in);
        example = new Example(id, all[ordinal], split, fields, target, references, source, noAnswer, answerStart,
                candidates);
    }

    private Object readResolve() throws ObjectStreamException {
        return example;
    }
}
