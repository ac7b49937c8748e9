package org.meftspark.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonlReaderTest {

    static List<ReadResult> read(Dataset d, byte[] bytes, ReaderOptions options) {
        try (ReadResults r = DatasetReaders.open(d, DatasetReaders.Format.JSONL, "train",
                new ByteArrayInputStream(bytes), "fixture.jsonl", options)) {
            return r.stream().toList();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nqOpenKeepsValidLinesAroundEveryKindOfBadLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(utf8("{\"question\": \"who wrote hamlet\", \"answer\": [\"Shakespeare\", \"William Shakespeare\"]}\n"));
        out.write(utf8("{\"question\": \"broken\", \"answer\": [\n"));                 // 2 malformed
        out.write(utf8("{\"question\": 42, \"answer\": [\"x\"]}\n"));                   // 3 wrong type
        out.write(utf8("{\"answer\": [\"x\"]}\n"));                                     // 4 missing
        out.write(utf8("{\"question\": \"  \", \"answer\": [\"x\"]}\n"));               // 5 empty
        out.write(new byte[] {'{', '"', 'q', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'}); // 6 bad UTF-8
        out.write(utf8("\n"));                                                          // 7 blank, skipped
        out.write(utf8("[1, 2]\r\n"));                                                  // 8 not an object
        out.write(utf8("{\"question\": \"capital of france\", \"answer\": [\"Paris\"]}\r\n"));
        out.write(utf8("{\"question\": \"q\", \"answer\": []}\n"));                     // 10 empty list
        out.write(utf8("{\"question\": \"q\", \"answer\": [\"a\"]} trailing\n"));       // 11 trailing garbage

        List<ReadResult> results = read(Dataset.NQ_OPEN, out.toByteArray(), ReaderOptions.DEFAULTS);

        assertThat(results).hasSize(10);
        assertThat(results).filteredOn(r -> r instanceof Example).extracting(r -> ((Example) r).target())
                .containsExactly("Shakespeare", "Paris");
        Example first = (Example) results.get(0);
        assertThat(first.references()).containsExactly("Shakespeare", "William Shakespeare");
        assertThat(first.fields()).containsEntry("question", "who wrote hamlet");
        assertThat(first.id()).startsWith("nq_open:").hasSize("nq_open:".length() + 16);
        assertThat(first.source()).isEqualTo(new SourceLocation("fixture.jsonl", 1, 0));
        assertThat(results).filteredOn(r -> r instanceof Rejection).extracting(r -> ((Rejection) r).reason())
                .containsExactly(RejectReason.MALFORMED_JSON, RejectReason.WRONG_TYPE, RejectReason.MISSING_FIELD,
                        RejectReason.EMPTY_FIELD, RejectReason.INVALID_UTF8, RejectReason.WRONG_TYPE,
                        RejectReason.EMPTY_FIELD, RejectReason.MALFORMED_JSON);
        assertThat(results).filteredOn(r -> r instanceof Rejection).extracting(r -> r.source().line())
                .containsExactly(2L, 3L, 4L, 5L, 6L, 8L, 10L, 11L);
        assertThat(results.get(7).source().line()).isEqualTo(9);
    }

    @Test
    void sameQuestionGivesSameContentId() {
        List<ReadResult> r = read(Dataset.NQ_OPEN, utf8("{\"question\":\"a b\",\"answer\":[\"x\"]}\n{\"question\":\"a b\",\"answer\":[\"y\"]}\n"),
                ReaderOptions.DEFAULTS);
        assertThat(((Example) r.get(0)).id()).isEqualTo(((Example) r.get(1)).id());
    }

    @Test
    void gsm8kTakesTheGoldNumberFromTheFinalHashLine() {
        String ok = "{\"question\": \"How many?\", \"answer\": \"2 + 3 = <<2+3=5>>5\\n#### 1,005\"}\n";
        String noGold = "{\"question\": \"How many?\", \"answer\": \"just 5\"}\n";
        String emptyGold = "{\"question\": \"How many?\", \"answer\": \"5\\n#### \"}\n";
        List<ReadResult> results = read(Dataset.GSM8K, utf8(ok + noGold + emptyGold), ReaderOptions.DEFAULTS);
        Example e = (Example) results.get(0);
        assertThat(e.references()).containsExactly("1005");
        assertThat(e.target()).endsWith("#### 1,005");
        assertThat(results.subList(1, 3)).extracting(r -> ((Rejection) r).reason())
                .containsOnly(RejectReason.BAD_ANSWER_FORMAT);
    }

    @Test
    void emptyFileIsOneCountedRejection() {
        List<ReadResult> results = read(Dataset.GSM8K, new byte[0], ReaderOptions.DEFAULTS);
        assertThat(results).singleElement().satisfies(r ->
                assertThat(((Rejection) r).reason()).isEqualTo(RejectReason.EMPTY_INPUT));
    }

    /** A 50 MB line between two good ones: rejected by length, never held in memory, neighbours kept. */
    @Test
    void fiftyMegabyteLineIsRejectedWithoutLosingItsNeighbours() {
        long hugeLength = 50L << 20;
        InputStream huge = new InputStream() {
            long left = hugeLength;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        String good = "{\"question\": \"q\", \"answer\": \"a\\n#### 3\"}\n";
        InputStream in = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream(utf8(good)), huge, new ByteArrayInputStream(utf8("\n" + good)))));
        try (ReadResults r = DatasetReaders.open(Dataset.GSM8K, DatasetReaders.Format.JSONL, "train", in, "big.jsonl",
                new ReaderOptions(1 << 20, 1 << 20))) {
            List<ReadResult> results = r.stream().toList();
            assertThat(results).hasSize(3);
            assertThat(results.get(0)).isInstanceOf(Example.class);
            Rejection rej = (Rejection) results.get(1);
            assertThat(rej.reason()).isEqualTo(RejectReason.LINE_TOO_LONG);
            assertThat(rej.message()).contains(Long.toString(hugeLength));
            assertThat(rej.source().line()).isEqualTo(2);
            assertThat(results.get(2)).isInstanceOf(Example.class);
            assertThat(results.get(2).source().line()).isEqualTo(3);
        }
    }
}
