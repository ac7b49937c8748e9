package org.meftspark.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into '\n'-terminated lines with a hard cap on line length, and
 * decodes each line strictly as UTF-8. A line over the cap is counted through to its end
 * without being kept, so a 50 MB line costs {@code maxLineBytes} of heap, not 50 MB.
 * Decoding reports malformed bytes instead of replacing them, so a line with invalid UTF-8
 * is rejected rather than silently altered.
 */
final class BoundedLineReader {
    /** One physical line: its text, or why it has none. */
    record Line(long number, String text, RejectReason problem, long byteLength) {
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private long lineNumber;
    private boolean eof;

    BoundedLineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of the stream. */
    Line next() throws IOException {
        if (eof) {
            return null;
        }
        int len = 0;
        long total = 0;
        boolean sawAny = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    if (!sawAny) {
                        return null;
                    }
                    break;
                }
            }
            sawAny = true;
            int start = pos;
            int nl = -1;
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? limit : nl;
            int chunk = end - start;
            total += chunk;
            if (total <= maxLineBytes) {
                if (len + chunk > line.length) {
                    line = Arrays.copyOf(line, Math.max(len + chunk, Math.min(maxLineBytes, line.length * 2)));
                }
                System.arraycopy(buf, start, line, len, chunk);
                len += chunk;
            }
            pos = nl < 0 ? limit : nl + 1;
            if (nl >= 0) {
                break;
            }
        }
        lineNumber++;
        if (total > maxLineBytes) {
            return new Line(lineNumber, null, RejectReason.LINE_TOO_LONG, total);
        }
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        try {
            String text = decoder.decode(ByteBuffer.wrap(line, 0, len)).toString();
            if (lineNumber == 1 && text.startsWith("\uFEFF")) {
                text = text.substring(1); // a UTF-8 byte order mark is not part of the record
            }
            return new Line(lineNumber, text, null, total);
        } catch (CharacterCodingException e) {
            return new Line(lineNumber, null, RejectReason.INVALID_UTF8, total);
        }
    }
}
