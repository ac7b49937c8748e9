package org.meftspark.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.meftspark.prompt.PromptTemplates;
import org.meftspark.tokenize.ByteTokenizer;
import org.meftspark.tokenize.TokenizedExample;

/** ShardWriter's bulk copies of tokens, mask and validity bits, against the per-value reference. */
class ShardWriterBulkTest {

    @Property(tries = 300)
    void validityBitsMatchSettingThemOneByOne(@ForAll @IntRange(max = 70) int from, @ForAll @IntRange(max = 200) int count) {
        try (RootAllocator a = new RootAllocator(); ArrowBuf bulk = a.buffer(64); ArrowBuf one = a.buffer(64)) {
            bulk.setZero(0, 64);
            one.setZero(0, 64);
            ShardWriter.setValid(bulk, from, count);
            for (int i = from; i < from + count; i++) {
                BitVectorHelper.setBit(one, i);
            }
            for (int b = 0; b < 64; b++) {
                assertThat(bulk.getByte(b)).as("byte %d", b).isEqualTo(one.getByte(b));
            }
        }
    }

    @Property(tries = 20)
    void rowsOfAnyLengthAcrossBatchesAndGrowthReadBackExactly(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        List<TokenizedExample> rows = new ArrayList<>();
        for (int i = 0; i < 1 + r.nextInt(60); i++) {
            // Up to 9,000 tokens: past the vectors' first allocation, so they grow mid-batch.
            int len = 1 + (r.nextInt(4) == 0 ? r.nextInt(9000) : r.nextInt(40));
            int[] ids = r.ints(len, 0, 32000).toArray();
            rows.add(new TokenizedExample("id" + i, "gsm8k", "train", ids, r.nextInt(len), List.of("a"), "f:" + i, 0));
        }
        Path dir = Files.createTempDirectory("bulk");
        try {
            LocalShardStore store = new LocalShardStore(dir);
            ManifestBuilder mb = new ManifestBuilder(new ByteTokenizer(), PromptTemplates.builtIn());
            try (ShardSetWriter w = new ShardSetWriter(store, mb, 1000, 1 + r.nextInt(8), 1 << 14)) {
                for (TokenizedExample e : rows) {
                    w.write(e);
                }
                w.finish();
            }
            List<TokenizedExample> back = ShardReader.open(store, ByteTokenizer.FINGERPRINT).rows().toList();
            assertThat(back).hasSize(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                assertThat(back.get(i).inputIds()).containsExactly(rows.get(i).inputIds());
                assertThat(back.get(i).lossMask()).containsExactly(rows.get(i).lossMask());
                assertThat(back.get(i).promptLength()).isEqualTo(rows.get(i).promptLength());
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
