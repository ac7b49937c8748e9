package org.meftspark.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte tokenizer written as Hugging Face files gives the same ids through DJL's tokenizers library. */
class ByteTokenizerFilesTest {

    @Test
    void theWrittenTokenizerJsonEncodesAndDecodesLikeTheByteTokenizer(@TempDir Path dir) {
        ByteTokenizerFiles.write(dir);
        Tokenizer hf = HfTokenizer.load(dir);
        ByteTokenizer bytes = new ByteTokenizer();
        assertThat(hf.bosId()).hasValue(ByteTokenizer.BOS);
        assertThat(hf.eosId()).isEqualTo(ByteTokenizer.EOS);
        for (String text : List.of("who founded Filus?", "Answer: Gin Kidi", "  two  spaces\tand a tab\nnewline",
                "#### 42", "Zürich – naïve café 東京 😀")) {
            assertThat(hf.encode(text).ids()).as(text).isEqualTo(bytes.encode(text).ids());
            assertThat(hf.decode(bytes.encode(text).ids())).isEqualTo(text);
        }
        assertThat(ByteTokenizerFiles.byteChars()).doesNotHaveDuplicates();
        // The one documented difference: like every Hugging Face tokenizer, the files match special-token
        // strings inside text; the byte tokenizer encodes them as bytes.
        int[] special = hf.encode("<s>x").ids();
        assertThat(special).containsExactly(ByteTokenizer.BOS, 'x');
    }
}
