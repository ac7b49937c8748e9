package org.meftspark.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of every dataset reader (issue 9): any bytes give examples and counted
 * rejections, or, for an unusable input, an {@link UnusableInputException} naming the
 * file; never another exception, and reading always ends.
 */
class ReaderFuzzTest {

    private static final String NQ = "{\"question\": \"who wrote it?\", \"answer\": [\"me\", \"you\"]}\n";
    private static final String GSM = "{\"question\": \"2+2?\", \"answer\": \"2+2=<<2+2=4>>4\\n#### 4\"}\n";
    private static final String SQUAD = "{\"version\": \"1.1\", \"data\": [{\"title\": \"t\", \"paragraphs\": [{\"context\": "
            + "\"It is red.\", \"qas\": [{\"id\": \"q1\", \"question\": \"What colour?\", \"answers\": [{\"text\": \"red\", "
            + "\"answer_start\": 6}], \"evidences\": [\"x\"]}]}]}]}";
    private static final String TOOL = "[{\"query\": \"weather?\", \"query_id\": 1, \"api_list\": [{\"category_name\": "
            + "\"c\", \"tool_name\": \"w\", \"api_name\": \"get\", \"api_description\": \"d\", \"required_parameters\": [], "
            + "\"optional_parameters\": [], \"method\": \"GET\"}], \"relevant APIs\": [[\"w\", \"get\"]]}]";

    private static int readAll(Dataset d, DatasetReaders.Format f, byte[] bytes) {
        int results = 0;
        try (ReadResults r = DatasetReaders.open(d, f, "train", new ByteArrayInputStream(bytes), "fuzz-input",
                new ReaderOptions(4096, 4096))) {
            while (r.hasNext()) {
                ReadResult x = r.next();
                assertThat(x).isNotNull();
                if (x instanceof Rejection rej) {
                    assertThat(rej.toString()).contains("fuzz-input");
                }
                results++;
                assertThat(results).as("reader does not end").isLessThan(100_000);
            }
        } catch (UnusableInputException e) {
            assertThat(e.getMessage()).contains("fuzz-input");
        }
        return results;
    }

    private static byte[] mutate(String valid, int position, byte value) {
        byte[] b = valid.getBytes(StandardCharsets.UTF_8);
        b[position % b.length] = value;
        return b;
    }

    @Property(tries = 250)
    void randomBytesInEveryFormat(@ForAll @Size(max = 300) byte[] bytes) {
        readAll(Dataset.NQ_OPEN, DatasetReaders.Format.JSONL, bytes);
        readAll(Dataset.GSM8K, DatasetReaders.Format.JSONL, bytes);
        readAll(Dataset.SQUAD, DatasetReaders.Format.JSON, bytes);
        readAll(Dataset.TOOLBENCH, DatasetReaders.Format.JSON, bytes);
        readAll(Dataset.SQUAD, DatasetReaders.Format.HF_ARROW, bytes);
    }

    @Property(tries = 500)
    void flippedBytesOfValidRecords(@ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll byte value) {
        readAll(Dataset.NQ_OPEN, DatasetReaders.Format.JSONL, mutate(NQ + NQ + NQ, position, value));
        readAll(Dataset.GSM8K, DatasetReaders.Format.JSONL, mutate(GSM + GSM, position, value));
        readAll(Dataset.SQUAD, DatasetReaders.Format.JSON, mutate(SQUAD, position, value));
        readAll(Dataset.TOOLBENCH, DatasetReaders.Format.JSON, mutate(TOOL, position, value));
    }

    @Property(tries = 300)
    void aBadLineNeverCostsTheGoodOnes(@ForAll @Size(max = 200) byte[] garbage) {
        byte[] bad = new String(garbage, StandardCharsets.ISO_8859_1).replace('\n', ' ')
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] nq = NQ.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[nq.length * 2 + bad.length + 1];
        System.arraycopy(nq, 0, all, 0, nq.length);
        System.arraycopy(bad, 0, all, nq.length, bad.length);
        all[nq.length + bad.length] = '\n';
        System.arraycopy(nq, 0, all, nq.length + bad.length + 1, nq.length);
        long examples = 0;
        try (ReadResults r = DatasetReaders.open(Dataset.NQ_OPEN, DatasetReaders.Format.JSONL, "train",
                new ByteArrayInputStream(all), "fuzz-input", ReaderOptions.DEFAULTS)) {
            while (r.hasNext()) {
                if (r.next() instanceof Example) {
                    examples++;
                }
            }
        }
        assertThat(examples).isBetween(2L, 3L);
    }
}
