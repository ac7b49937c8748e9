package org.meftspark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {
    private final ByteTokenizer tok = new ByteTokenizer();

    @Test
    void idsAreTheUtf8BytesWithCharSpans() {
        String text = "a\u00e9\uD83D\uDE00";   // a, é (2 bytes), 😀 (4 bytes, 2 UTF-16 chars)
        TokenizedText t = tok.encode(text);
        assertThat(t.ids()).containsExactly(toInts(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(t.charStart()).containsExactly(0, 1, 1, 2, 2, 2, 2);
        assertThat(t.charEnd()).containsExactly(1, 2, 2, 4, 4, 4, 4);
        assertThat(tok.decode(t.ids())).isEqualTo(text);
    }

    @Test
    void specialsAreOutsideTheByteRangeAndSkippedByDecode() {
        assertThat(tok.bosId()).hasValue(256);
        assertThat(tok.eosId()).isEqualTo(257);
        assertThat(tok.padId()).isEqualTo(258);
        assertThat(tok.vocabSize()).isEqualTo(259);
        assertThat(tok.decode(new int[] {256, 'h', 'i', 257, 258})).isEqualTo("hi");
        assertThat(tok.decode(new int[] {0xC3})).isEqualTo("\uFFFD");
        assertThat(tok.fingerprint()).isEqualTo("meft-byte-tokenizer-v1");
    }

    private static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }
}
