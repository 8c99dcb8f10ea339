package io.weft.samples.kv;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A buffered output stream that holds its buffer only between the first write of a batch and the
 * {@link #flush()} that sends it: a connection waiting for its next request costs no output
 * buffer. Writes of {@link #BUFFER} bytes or more go straight to the sink after what is buffered.
 * Not thread-safe: one writer.
 */
final class IdleFreeOutput extends OutputStream {
    /** The size of the buffer a batch of replies is gathered in. */
    static final int BUFFER = 16 * 1024;

    private final OutputStream sink;
    private byte[] buffer;
    private int count;

    IdleFreeOutput(OutputStream sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void write(int b) throws IOException {
        if (buffer == null) {
            buffer = new byte[BUFFER];
        } else if (count == buffer.length) {
            drain();
        }
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
        if (buffer == null) {
            buffer = new byte[BUFFER];
        } else if (length > buffer.length - count) {
            drain();
        }
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

    private void drain() throws IOException {
        if (count > 0) {
            sink.write(buffer, 0, count);
            count = 0;
        }
    }
}
