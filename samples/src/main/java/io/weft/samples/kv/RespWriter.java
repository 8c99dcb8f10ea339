package io.weft.samples.kv;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes RESP2 replies to a stream; give it a buffered one and flush once per batch. Simple
 * strings and errors must not contain CR or LF: {@link #error} replaces them.
 * Not thread-safe: one writer per connection.
 */
public final class RespWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final byte[] digits = new byte[20];

    /** Writes to {@code out}. */
    public RespWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** {@code +OK}. */
    public void ok() throws IOException {
        out.write(OK);
    }

    /** {@code +text}; the caller makes sure {@code text} has no CR or LF. */
    public void simple(String text) throws IOException {
        out.write('+');
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }

    /** {@code -message}, for example {@code ERR syntax error}; CR and LF become spaces. */
    public void error(String message) throws IOException {
        out.write('-');
        out.write(message.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }

    /** {@code :n}. */
    public void integer(long n) throws IOException {
        out.write(':');
        decimal(n);
        out.write(CRLF);
    }

    /** {@code $len} and the bytes, or the null bulk string {@code $-1} for {@code null}. */
    public void bulk(byte[] bytes) throws IOException {
        if (bytes == null) {
            out.write(NULL_BULK);
            return;
        }
        out.write('$');
        decimal(bytes.length);
        out.write(CRLF);
        out.write(bytes);
        out.write(CRLF);
    }

    /** {@code *count}; the caller writes the elements next. */
    public void arrayHeader(int count) throws IOException {
        out.write('*');
        decimal(count);
        out.write(CRLF);
    }

    /** Pushes the batch out. */
    public void flush() throws IOException {
        out.flush();
    }

    private void decimal(long n) throws IOException {
        if (n == Long.MIN_VALUE) {
            out.write(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
            return;
        }
        if (n < 0) {
            out.write('-');
            n = -n;
        }
        int i = digits.length;
        do {
            digits[--i] = (byte) ('0' + n % 10);
            n /= 10;
        } while (n != 0);
        out.write(digits, i, digits.length - i);
    }
}
