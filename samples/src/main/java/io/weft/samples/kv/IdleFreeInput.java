package io.weft.samples.kv;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A buffered input stream that holds only a small buffer while it waits: when everything buffered
 * has been read and the source has nothing ready, it waits with a read into a buffer of {@value
 * #WAIT_BUFFER} bytes (letting a larger one go), which a short request fits in whole; when more is
 * ready it reads into a buffer sized to it (at most {@link #MAX_BUFFER}). A reader waiting inside a
 * request therefore costs {@value #WAIT_BUFFER} bytes of buffer, one between requests none (see
 * {@link #release()}), and a request arriving costs no buffer beyond what it needs. Each time bytes
 * arrive it asks {@code arrival} whether they may be read; when it says no (the connection was
 * taken by a graceful stop while it waited), the read fails with "Socket closed". Not thread-safe:
 * one reader.
 */
final class IdleFreeInput extends InputStream {
    /** The largest buffer, for a burst of pipelined requests. */
    static final int MAX_BUFFER = 16 * 1024;
    /** The buffer an idle connection waits with: a short request (a GET, a PING) fits in it whole. */
    static final int WAIT_BUFFER = 128;

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

    /**
     * Lets the buffer go while nothing is buffered (a connection waiting for its next request with
     * no thread); the next read takes one sized to what arrived.
     *
     * @throws IllegalStateException if bytes are still buffered (they would be lost)
     */
    void release() {
        if (position != limit) {
            throw new IllegalStateException((limit - position) + " bytes are still buffered; read them first");
        }
        buffer = null;
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
            if (buffer == null || buffer.length > WAIT_BUFFER) {
                buffer = new byte[WAIT_BUFFER]; // idle from here on: hold a small buffer only
            }
        } else if (buffer == null || buffer.length < Math.min(ready, MAX_BUFFER)) {
            buffer = new byte[Math.clamp(ready, WAIT_BUFFER, MAX_BUFFER)];
        }
        int n = source.read(buffer, 0, buffer.length);
        if (n < 0) {
            return false;
        }
        arrived();
        limit = n;
        return true;
    }

    private void arrived() throws SocketException {
        if (!arrival.getAsBoolean()) {
            throw new SocketException("Socket closed");
        }
    }
}
