package org.meftspark.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StreamCorruptedException;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.meftspark.data.Dataset;
import org.meftspark.data.Example;
import org.meftspark.data.SourceLocation;
import org.meftspark.tokenize.TokenizedExample;

/** The wire forms of examples (WireStrings, ExampleWire, TokenizedExampleWire) lose nothing. */
class WireFormsTest {

    @Provide
    Arbitrary<String> anyText() {
        // Every UTF-16 unit, lone surrogates included, and lengths across the writeUTF chunk size.
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().all().ofMinLength(WireStrings.CHUNK - 2).ofMaxLength(WireStrings.CHUNK * 3 + 5));
    }

    @Property(tries = 60)
    void examplesRoundTripExactly(@ForAll("anyText") String question, @ForAll("anyText") String target,
                                  @ForAll("anyText") String reference) throws Exception {
        Example e = new Example("nq_open:" + question.length(), Dataset.NQ_OPEN, "train", Map.of("question",
                question.isBlank() ? "q" : question), target, List.of(reference, ""), new SourceLocation("f.jsonl", 3, 2));
        Object back = roundTrip(e);
        assertThat(back).isInstanceOf(Example.class).isEqualTo(e);
    }

    @Property(tries = 60)
    void tokenizedExamplesRoundTripExactly(@ForAll("anyText") String id, @ForAll int[] ids) throws Exception {
        int[] seq = ids.length < 2 ? new int[] {1, 2} : ids;
        TokenizedExample t = new TokenizedExample(id, "squad", "dev", seq, seq.length - 1, List.of("a", id), "f#1", 7);
        TokenizedExample back = (TokenizedExample) roundTrip(t);
        assertThat(back.inputIds()).containsExactly(seq);
        assertThat(List.of(back.id(), back.dataset(), back.split(), back.references(), back.source()))
                .isEqualTo(List.of(t.id(), t.dataset(), t.split(), t.references(), t.source()));
        assertThat(back.promptLength()).isEqualTo(t.promptLength());
        assertThat(back.truncatedTokens()).isEqualTo(7);
    }

    @Property(tries = 20)
    void aStringLengthFromADamagedStreamIsRefused(@ForAll("anyText") String s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeInt(-1 - s.length());
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThatThrownBy(() -> WireStrings.read(in)).isInstanceOf(StreamCorruptedException.class);
        }
    }

    private static Object roundTrip(Object o) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}
