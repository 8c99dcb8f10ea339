package io.weft.samples.kv;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A buffered input stream that holds no buffer while it waits: when everything buffered has been
 * read and the source has nothing ready, it drops its buffer and blocks on a one-byte read, and
 * allocates a buffer sized to what is ready once bytes arrive (at most {@link #MAX_BUFFER}). An
 * idle connection therefore costs no buffer at all. Each time bytes arrive it asks {@code
 * arrival} whether they may be read; when it says no (the connection was taken by a graceful
 * stop while it waited), the read fails with "Socket closed". Not thread-safe: one reader.
 */
final class IdleFreeInput extends InputStream {
    /** The largest buffer, for a burst of pipelined requests. */
    static final int MAX_BUFFER = 16 * 1024;
    private static final int MIN_BUFFER = 256;

    private final InputStream source;
    private final BooleanSupplier arrival;
    private byte[] buffer;
    private int position;
    private int limit;

    IdleFreeInput(InputStream source, BooleanSupplier arrival) {
        this.source = Objects.requireNonNull(source, "source");
        this.arrival = Objects.requireNonNull(arrival, "arrival");
    }

    @Override
    public int read() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) {
            return 0;
        }
        if (position == limit) {
            if (length >= MAX_BUFFER) {
                return source.read(into, offset, length); // a large read needs no copy through the buffer
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(length, limit - position);
        System.arraycopy(buffer, position, into, offset, n);
        position += n;
        return n;
    }

    /** What is buffered here plus what the source has ready. */
    @Override
    public int available() throws IOException {
        return limit - position + source.available();
    }

    @Override
    public void close() throws IOException {
        buffer = null;
        source.close();
    }

    /** Refills the empty buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        position = 0;
        limit = 0;
        int ready = source.available();
        if (ready == 0) {
            buffer = null; // idle from here on: hold nothing while blocked
            int first = source.read();
            if (first < 0) {
                return false;
            }
            arrived();
            ready = source.available();
            allocate(1 + ready);
            buffer[limit++] = (byte) first;
            if (ready == 0) {
                return true;
            }
        } else {
            arrived();
            allocate(ready);
        }
        int n = source.read(buffer, limit, buffer.length - limit);
        if (n > 0) {
            limit += n;
        }
        return limit > 0;
    }

    private void arrived() throws SocketException {
        if (!arrival.getAsBoolean()) {
            throw new SocketException("Socket closed");
        }
    }

    private void allocate(int wanted) {
        int size = Math.clamp(wanted, MIN_BUFFER, MAX_BUFFER);
        if (buffer == null || buffer.length < size) {
            buffer = new byte[size];
        }
    }
}
