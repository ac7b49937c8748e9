package org.meftspark.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResult;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.synth.WorldCorpus;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.SequenceResult;
import org.meftspark.tokenize.TokenizedExample;
import org.meftspark.tokenize.TokenizedText;
import org.meftspark.tokenize.Tokenizer;

/**
 * The training rows of a written {@link WorldCorpus}. Task files go through the project's own
 * readers and {@link SequenceBuilder}, so the base sees exactly the prompts that fine-tuning and
 * evaluation will give it (loss on the answer); passages are plain text, {@code [BOS] text EOS},
 * with loss on every token after BOS. A row the builder drops, or any reader rejection, is an
 * error here: the corpus is generated, so a drop means a generator or a length bug.
 */
final class CorpusRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Rows by kind, in file order; the trainer shuffles them per epoch. */
    record Rows(List<TokenizedExample> passages, List<TokenizedExample> tasks) {
        List<TokenizedExample> all() {
            List<TokenizedExample> out = new ArrayList<>(passages);
            out.addAll(tasks);
            return out;
        }

        long tokens() {
            return all().stream().mapToLong(r -> r.inputIds().length).sum();
        }
    }

    private CorpusRows() {
    }

    static Rows read(WorldCorpus.Written files, Tokenizer tokenizer, SequenceBuilder builder, int maxLength) {
        List<TokenizedExample> passages = passages(files.passages(), tokenizer, maxLength);
        List<TokenizedExample> tasks = new ArrayList<>();
        tasks.addAll(task(Dataset.NQ_OPEN, files.nqOpen(), builder));
        tasks.addAll(task(Dataset.SQUAD, files.squad(), builder));
        tasks.addAll(task(Dataset.GSM8K, files.gsm8k(), builder));
        tasks.addAll(task(Dataset.TOOLBENCH, files.toolbench(), builder));
        return new Rows(passages, tasks);
    }

    private static List<TokenizedExample> task(Dataset d, Path file, SequenceBuilder builder) {
        List<TokenizedExample> out = new ArrayList<>();
        try (ReadResults r = DatasetReaders.open(d, "train", file, ReaderOptions.DEFAULTS)) {
            while (r.hasNext()) {
                ReadResult x = r.next();
                if (!(x instanceof Example e)) {
                    throw new IllegalStateException(file + ": the generated corpus has a rejected record: " + x);
                }
                SequenceResult s = builder.build(e);
                if (!(s instanceof SequenceResult.Built b)) {
                    throw new IllegalStateException(file + ": " + e.id() + " does not fit data.max_length: " + s
                            + "; raise data.max_length in the pretraining configuration");
                }
                out.add(b.example());
            }
        }
        return out;
    }

    private static List<TokenizedExample> passages(Path file, Tokenizer tokenizer, int maxLength) {
        List<TokenizedExample> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                JsonNode node = JSON.readTree(line);
                String text = node.path("text").asText();
                TokenizedText t = tokenizer.encode(text);
                int bos = tokenizer.bosId().isPresent() ? 1 : 0;
                int[] ids = new int[bos + t.length() + 1];
                if (bos == 1) {
                    ids[0] = tokenizer.bosId().getAsInt();
                }
                System.arraycopy(t.ids(), 0, ids, bos, t.length());
                ids[ids.length - 1] = tokenizer.eosId();
                if (ids.length > maxLength) {
                    throw new IllegalStateException(file + ":" + n + ": passage is " + ids.length
                            + " tokens, above data.max_length " + maxLength + "; raise data.max_length");
                }
                out.add(new TokenizedExample("passage:" + n, "passage", "train", ids, bos, List.of(text), file + ":" + n, 0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the corpus: " + e.getMessage(), e);
        }
        return out;
    }
}
