package io.weft.samples.kv;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A buffered output stream that holds its buffer only between the first write of a batch and the
 * {@link #flush()} that sends it: a connection waiting for its next request costs no output
 * buffer. The buffer starts at the size of the first write (at least {@value #FIRST_BUFFER} bytes)
 * and doubles as the batch grows, up to {@link #BUFFER}, so a short reply costs a short buffer.
 * Writes of {@link #BUFFER} bytes or more go straight to the sink after what is buffered.
 * Not thread-safe: one writer.
 */
final class IdleFreeOutput extends OutputStream {
    /** The largest buffer a batch of replies is gathered in. */
    static final int BUFFER = 16 * 1024;
    /** The smallest buffer a batch starts with. */
    static final int FIRST_BUFFER = 128;

    private final OutputStream sink;
    private byte[] buffer;
    private int count;

    IdleFreeOutput(OutputStream sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void write(int b) throws IOException {
        room(1);
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length >= BUFFER) {
            drain();
            sink.write(bytes, offset, length);
            return;
        }
        room(length);
        System.arraycopy(bytes, offset, buffer, count, length);
        count += length;
    }

    /** Sends what is buffered and drops the buffer until the next write. */
    @Override
    public void flush() throws IOException {
        drain();
        buffer = null;
        sink.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            sink.close();
        }
    }

    /** Makes room for {@code length} (< {@link #BUFFER}) more bytes: allocates, sends what is buffered, grows. */
    private void room(int length) throws IOException {
        if (buffer == null) {
            buffer = new byte[Math.clamp(length, FIRST_BUFFER, BUFFER)];
            return;
        }
        if (count + length > BUFFER) {
            drain();
        }
        int needed = count + length;
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(BUFFER, Math.max(needed, buffer.length * 2)));
        }
    }

    private void drain() throws IOException {
        if (count > 0) {
            sink.write(buffer, 0, count);
            count = 0;
        }
    }
}
