package org.meftspark.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meftspark.data.Dataset;
import org.meftspark.data.DatasetReaders;
import org.meftspark.data.Example;
import org.meftspark.data.ReadResult;
import org.meftspark.data.ReadResults;
import org.meftspark.data.ReaderOptions;
import org.meftspark.data.Rejection;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.testing.SharedFiles;
import org.meftspark.tokenize.HfTokenizer;
import org.meftspark.tokenize.SequenceBuilder;
import org.meftspark.tokenize.SequenceResult;
import org.meftspark.tokenize.TruncationSide;
import org.meftspark.tokenize.TokenizedExample;

/** The real public files, tokenized with the real Mistral tokenizer, through shards and back. */
class RealShardRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyRealRecordSurvivesTheShardRoundTripWithIdsAndReferences() throws Exception {
        String[][] files = {
                {"gsm8k", "train", "datasets/gsm8k/train.jsonl"}, {"gsm8k", "test", "datasets/gsm8k/test.jsonl"},
                {"nq_open", "test", "datasets/nq_open/NQ-open.dev.jsonl"},
                {"squad", "dev", "datasets/squad/squad-v1.1-dev-subset.json"},
                {"toolbench", "train", "datasets/toolbench/G1_query.json"}, {"toolbench", "train", "datasets/toolbench/G2_query.json"}};
        Map<String, Example> written = new LinkedHashMap<>();
        LocalShardStore store = new LocalShardStore(dir);
        try (HfTokenizer mistral = HfTokenizer.load(SharedFiles.require("tokenizers/mistral"))) {
            PromptTemplates templates = PromptTemplates.builtIn();
            SequenceBuilder builder = new SequenceBuilder(mistral, templates, 1024, TruncationSide.RIGHT);
            ManifestBuilder mb = new ManifestBuilder(mistral, templates).setting("max_length", 1024);
            Manifest m;
            try (ShardSetWriter w = new ShardSetWriter(store, mb, 4096, 512, 1 << 20)) {
                for (String[] f : files) {
                    try (ReadResults r = DatasetReaders.open(Dataset.fromKey(f[0]), f[1], SharedFiles.require(f[2]), ReaderOptions.DEFAULTS)) {
                        while (r.hasNext()) {
                            ReadResult x = r.next();
                            if (x instanceof Rejection rej) {
                                w.reject(rej);
                                continue;
                            }
                            Example e = (Example) x;
                            SequenceResult s = builder.build(e);
                            if (s instanceof SequenceResult.Built b) {
                                w.write(b.example());
                                written.put(e.id() + "@" + e.source(), e);
                            } else {
                                w.reject(((SequenceResult.Dropped) s).rejection());
                            }
                        }
                    }
                }
                m = w.finish();
            }
            long total = 7473 + 1319 + 3610 + 501 + 5 + 3;
            long rejected = m.rejected().values().stream().mapToLong(Long::longValue).sum();
            assertThat(m.totalRows() + rejected).isEqualTo(total);
            assertThat(m.totalRows()).isEqualTo(written.size());
            assertThat(m.tokenStats().max()).isLessThanOrEqualTo(1024);
            assertThat(m.countsBySplit()).containsKeys("train", "test", "dev");
            Files.writeString(Path.of("target", "real-manifest.json"), new String(m.toJson(), java.nio.charset.StandardCharsets.UTF_8));

            ShardReader reader = ShardReader.open(store, mistral.fingerprint());
            List<TokenizedExample> back = reader.rows().toList();
            assertThat(back).hasSize(written.size());
            for (TokenizedExample t : back) {
                Example e = written.get(t.id() + "@" + t.source());
                assertThat(e).as(t.id()).isNotNull();
                assertThat(t.references()).isEqualTo(e.references());
                assertThat(t.dataset()).isEqualTo(e.dataset().key());
                int[] ids = t.inputIds();
                String target = mistral.decode(java.util.Arrays.copyOfRange(ids, t.promptLength(), ids.length - 1));
                assertThat(target).isEqualTo(e.target());
            }
        }
    }
}
