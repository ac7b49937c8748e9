package org.meftspark.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;

/**
 * Fixtures in the layout Hugging Face {@code save_to_disk} writes for rajpurkar/squad
 * (id, title, context, question, answers: struct{text: list<string>, answer_start: list<int32>}),
 * as an Arrow IPC stream in two record batches.
 */
class HfArrowReaderTest {

    private static Field listOf(String name, ArrowType element) {
        return new Field(name, FieldType.nullable(new ArrowType.List()),
                List.of(new Field("item", FieldType.nullable(element), null)));
    }

    static byte[] squadArrow(String[][] rows) throws Exception {
        Schema schema = new Schema(List.of(
                Field.nullable("id", new ArrowType.Utf8()),
                Field.nullable("title", new ArrowType.Utf8()),
                Field.nullable("context", new ArrowType.Utf8()),
                Field.nullable("question", new ArrowType.Utf8()),
                new Field("answers", FieldType.nullable(new ArrowType.Struct()), List.of(
                        listOf("text", new ArrowType.Utf8()),
                        listOf("answer_start", new ArrowType.Int(32, true))))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BufferAllocator alloc = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
            writer.start();
            // Two batches of two and the rest, as datasets writes bounded batches.
            for (int from = 0; from < rows.length; from += 2) {
                int n = Math.min(2, rows.length - from);
                root.allocateNew();
                StructVector answers = (StructVector) root.getVector("answers");
                ListVector texts = answers.getChild("text", ListVector.class);
                ListVector starts = answers.getChild("answer_start", ListVector.class);
                UnionListWriter tw = texts.getWriter();
                UnionListWriter sw = starts.getWriter();
                for (int i = 0; i < n; i++) {
                    String[] r = rows[from + i];
                    for (int c = 0; c < 4; c++) {
                        VarCharVector v = (VarCharVector) root.getVector(c);
                        if (r[c] == null) {
                            v.setNull(i);
                        } else {
                            v.setSafe(i, r[c].getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    answers.setIndexDefined(i);
                    tw.setPosition(i);
                    sw.setPosition(i);
                    tw.startList();
                    sw.startList();
                    for (String a : Arrays.copyOfRange(r, 4, r.length)) {
                        byte[] b = a.getBytes(StandardCharsets.UTF_8);
                        try (ArrowBuf buf = alloc.buffer(b.length)) {
                            buf.setBytes(0, b);
                            tw.varChar().writeVarChar(0, b.length, buf);
                        }
                        sw.integer().writeInt(0);
                    }
                    tw.endList();
                    sw.endList();
                }
                texts.setValueCount(n);
                starts.setValueCount(n);
                root.setRowCount(n);
                writer.writeBatch();
            }
            writer.end();
        }
        return out.toByteArray();
    }

    static List<ReadResult> read(Dataset d, byte[] bytes) {
        try (ReadResults r = DatasetReaders.open(d, DatasetReaders.Format.HF_ARROW, "validation",
                new ByteArrayInputStream(bytes), "data-00000-of-00001.arrow", ReaderOptions.DEFAULTS)) {
            return r.stream().toList();
        }
    }

    @Test
    void readsHuggingFaceSquadRowsAcrossBatches() throws Exception {
        byte[] arrow = squadArrow(new String[][] {
                {"a1", "T", "Paris is in France.", "Where is Paris?", "France", "in France"},
                {"a2", "T", "Ctx", null, "x"},
                {"a3", "T", "Berlin is in Germany.", "Where is Berlin?", "Germany"},
        });
        List<ReadResult> results = read(Dataset.SQUAD, arrow);
        assertThat(results).hasSize(3);
        Example a1 = (Example) results.get(0);
        assertThat(a1.id()).isEqualTo("squad:a1");
        assertThat(a1.references()).containsExactly("France", "in France");
        assertThat(a1.fields()).containsEntry("context", "Paris is in France.");
        assertThat(a1.split()).isEqualTo("validation");
        assertThat(((Rejection) results.get(1)).reason()).isEqualTo(RejectReason.MISSING_FIELD);
        assertThat(results.get(1).source()).isEqualTo(new SourceLocation("data-00000-of-00001.arrow", 0, 1));
        assertThat(((Example) results.get(2)).source().index()).isEqualTo(2);
    }

    @Test
    void truncatedStreamKeepsEarlierRowsAndGarbageIsAClearError() throws Exception {
        byte[] arrow = squadArrow(new String[][] {
                {"a1", "T", "c", "q?", "x"}, {"a2", "T", "c", "q?", "y"}, {"a3", "T", "c", "q?", "z"}});
        // Cut inside the second batch: the first batch's two rows must survive.
        List<ReadResult> results = read(Dataset.SQUAD, Arrays.copyOf(arrow, arrow.length - 40));
        assertThat(results).filteredOn(r -> r instanceof Example).hasSizeGreaterThanOrEqualTo(2);
        assertThat(results.get(results.size() - 1)).isInstanceOfSatisfying(Rejection.class,
                r -> assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED_ARROW));

        assertThatThrownBy(() -> read(Dataset.SQUAD, "{\"not\": \"arrow\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UnusableInputException.class)
                .hasMessageContaining("data-00000-of-00001.arrow");
    }

    /**
     * Text read as Arrow: "this" is a metadata length of 1.9 GB, which Arrow would allocate on the
     * heap before reading (it once killed a test JVM with OutOfMemoryError). Refused before that.
     */
    @Test
    void aHugeDeclaredMetadataLengthIsRefusedWithoutAllocatingIt() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        for (String text : new String[] {"this is not an Arrow stream at all", "\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f"}) {
            long before = threads.getCurrentThreadAllocatedBytes();
            assertThatThrownBy(() -> read(Dataset.SQUAD, text.getBytes(StandardCharsets.ISO_8859_1)))
                    .isInstanceOf(UnusableInputException.class)
                    .hasMessageContaining("data-00000-of-00001.arrow")
                    .hasMessageContaining("bytes of metadata");
            assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("heap allocated for %s", text)
                    .isLessThan(64L << 20);
        }
    }

    @Test
    void emptyStreamIsCounted() throws Exception {
        assertThat(read(Dataset.SQUAD, squadArrow(new String[0][]))).singleElement()
                .satisfies(r -> assertThat(((Rejection) r).reason()).isEqualTo(RejectReason.EMPTY_INPUT));
    }
}
