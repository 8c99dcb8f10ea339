package io.weft.samples;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking-style connection's place in a graceful stop. Its thread marks it {@linkplain #idle()
 * idle} when it waits for a new request with nothing buffered and reports each {@linkplain
 * #arrived() arrival} of bytes; a drain {@linkplain #finishIfIdle() closes} it only while it is
 * idle, so a request that has begun arriving is always answered. A busy connection learns of the
 * stop from its server's own flag once its requests are answered. Thread-safe.
 */
public final class WaitingConnection {
    private static final int BUSY = 0;
    private static final int IDLE = 1;
    private static final int FINISHED = 2;

    private final Closeable socket;
    private final AtomicInteger state = new AtomicInteger(BUSY);

    /** The state of the connection on {@code socket}; {@link #finishIfIdle()} closes it. */
    public WaitingConnection(Closeable socket) {
        this.socket = socket;
    }

    /** From the connection's thread: it waits for a new request, with nothing buffered. */
    public void idle() {
        state.set(IDLE);
    }

    /** From the connection's thread: bytes arrived; whether it may read them (false once a drain took it). */
    public boolean arrived() {
        return state.compareAndSet(IDLE, BUSY) || state.get() == BUSY;
    }

    /** From a drain: closes the connection if it waits for a new request (its waiting read ends). */
    public void finishIfIdle() {
        if (state.compareAndSet(IDLE, FINISHED)) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a socket that is going anyway: nothing to do
            }
        }
    }
}
