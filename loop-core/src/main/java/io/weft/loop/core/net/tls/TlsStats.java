package io.weft.loop.core.net.tls;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * TLS counters of one loop: handshakes completed, their total time, and failures by {@link
 * TlsFailure}. Written by the loop thread with opaque stores, readable from any thread (for
 * loop-metrics). Handshake listeners see the time of each handshake, for a timer with a
 * distribution (the counters only hold the total).
 */
public final class TlsStats {
    private static final VarHandle VALUE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int HANDSHAKES = TlsFailure.values().length;
    private static final int HANDSHAKE_NANOS = HANDSHAKES + 1;

    private static final LongConsumer[] NO_LISTENERS = {};

    private final long[] values = new long[HANDSHAKE_NANOS + 1];
    /** Replaced, never changed in place: the loop thread iterates a snapshot without a lock or an allocation. */
    private volatile LongConsumer[] listeners = NO_LISTENERS;

    private TlsStats() {
    }

    /**
     * {@return the counters of {@code loop}; the same object every time} Safe from any thread.
     *
     * @param loop the loop whose TLS connections are counted
     */
    public static TlsStats of(EventLoop loop) {
        return LoopLocals.get(loop, TlsStats.class, ignored -> new TlsStats());
    }

    private void add(int index, long delta) {
        VALUE.setOpaque(values, index, values[index] + delta);
    }

    private long get(int index) {
        return (long) VALUE.getOpaque(values, index);
    }

    void handshakeCompleted(long nanos) {
        add(HANDSHAKES, 1);
        add(HANDSHAKE_NANOS, nanos);
        for (LongConsumer listener : listeners) {
            listener.accept(nanos);
        }
    }

    /**
     * Calls {@code listener} on the loop thread with the duration (nanoseconds of the loop's clock)
     * of every handshake completed on this loop from now on, right after it is counted and before
     * the handler's {@code onOpen}. It must be quick and must not throw: what it throws goes to the
     * connection's TCP handler call and closes that connection. Safe from any thread; adding the
     * same listener twice calls it twice.
     *
     * @param listener what to call; not null
     * @throws NullPointerException if {@code listener} is null
     */
    public synchronized void addHandshakeListener(LongConsumer listener) {
        Objects.requireNonNull(listener, "listener");
        LongConsumer[] next = Arrays.copyOf(listeners, listeners.length + 1);
        next[next.length - 1] = listener;
        listeners = next;
    }

    /**
     * Stops calling {@code listener} (one registration of it, if it was added more than once); a
     * handshake completing meanwhile on the loop thread may still call it once. Safe from any
     * thread; does nothing if it was not added.
     *
     * @param listener a listener given to {@link #addHandshakeListener}
     */
    public synchronized void removeHandshakeListener(LongConsumer listener) {
        LongConsumer[] current = listeners;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == listener) {
                LongConsumer[] next = new LongConsumer[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                listeners = next.length == 0 ? NO_LISTENERS : next;
                return;
            }
        }
    }

    void failed(TlsFailure failure) {
        add(failure.ordinal(), 1);
    }

    /** {@return handshakes completed on this loop (servers and clients)} */
    public long handshakes() {
        return get(HANDSHAKES);
    }

    /** {@return total time of the completed handshakes, in nanoseconds of the loop's clock} */
    public long handshakeNanos() {
        return get(HANDSHAKE_NANOS);
    }

    /**
     * {@return connections that failed with {@code failure} on this loop}
     *
     * @param failure the kind of failure to count
     */
    public long failures(TlsFailure failure) {
        return get(failure.ordinal());
    }
}
