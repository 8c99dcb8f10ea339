package io.weft.loop.core.net.tls;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * TLS counters of one loop: handshakes completed, their total time, and failures by {@link
 * TlsFailure}. Written by the loop thread with opaque stores, readable from any thread (for
 * loop-metrics).
 */
public final class TlsStats {
    private static final VarHandle VALUE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int HANDSHAKES = TlsFailure.values().length;
    private static final int HANDSHAKE_NANOS = HANDSHAKES + 1;

    private final long[] values = new long[HANDSHAKE_NANOS + 1];

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
