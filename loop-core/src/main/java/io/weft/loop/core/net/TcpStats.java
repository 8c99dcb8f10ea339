package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * TCP counters of one loop: connections open and lingering, accepted, shed, reset, accept failures,
 * idle and close timeouts, and bytes read and written.
 * Written by the loop thread with opaque stores, readable from any thread (for loop-metrics).
 */
public final class TcpStats {
    private static final VarHandle VALUE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int OPEN = 0;
    private static final int ACCEPTED = 1;
    private static final int ACCEPT_FAILURES = 2;
    private static final int SHED = 3;
    private static final int RESETS = 4;
    private static final int IDLE_TIMEOUTS = 5;
    private static final int BYTES_READ = 6;
    private static final int BYTES_WRITTEN = 7;
    private static final int CLOSE_TIMEOUTS = 8;
    private static final int LINGERING = 9;

    private final long[] values = new long[10];

    private TcpStats() {
    }

    /**
     * {@return the counters of {@code loop}; the same object every time} Safe from any thread.
     *
     * @param loop the loop whose connections are counted
     */
    public static TcpStats of(EventLoop loop) {
        return LoopLocals.get(loop, TcpStats.class, ignored -> new TcpStats());
    }

    private void add(int index, long delta) {
        VALUE.setOpaque(values, index, values[index] + delta);
    }

    private long get(int index) {
        return (long) VALUE.getOpaque(values, index);
    }

    void opened() {
        add(OPEN, 1);
    }

    void closed() {
        add(OPEN, -1);
    }

    void lingering(long delta) {
        add(LINGERING, delta);
    }

    void accepted() {
        add(ACCEPTED, 1);
    }

    void acceptFailed() {
        add(ACCEPT_FAILURES, 1);
    }

    void shed(long count) {
        add(SHED, count);
    }

    void reset() {
        add(RESETS, 1);
    }

    void idleTimedOut() {
        add(IDLE_TIMEOUTS, 1);
    }

    void closeTimedOut() {
        add(CLOSE_TIMEOUTS, 1);
    }

    void read(long bytes) {
        add(BYTES_READ, bytes);
    }

    void written(long bytes) {
        add(BYTES_WRITTEN, bytes);
    }

    /** {@return connections open on this loop now} */
    public long openConnections() {
        return get(OPEN);
    }

    /**
     * Of the {@linkplain #openConnections() open} connections, those whose {@link TcpConnection#close()}
     * has flushed every queued write and sent FIN, and that now only discard input until the peer's
     * FIN or the {@linkplain TcpOptions#lingerTimeout() linger timeout}: closing one of them at once
     * (the loop shutting down, say) loses no byte written to it. A graceful stop is done with a
     * connection once it lingers.
     *
     * @return the number of lingering connections on this loop now
     */
    public long lingeringConnections() {
        return get(LINGERING);
    }

    /** {@return connections accepted by servers listening on this loop} */
    public long acceptedConnections() {
        return get(ACCEPTED);
    }

    /** {@return accepts that failed (out of file descriptors, or another error)} */
    public long acceptFailures() {
        return get(ACCEPT_FAILURES);
    }

    /**
     * {@return connections accepted and closed at once, unserved: because file descriptors ran out, or
     * because the loop they were meant for was shutting down}
     */
    public long shedConnections() {
        return get(SHED);
    }

    /** {@return connections the peer reset (ECONNRESET, EPIPE)} */
    public long peerResets() {
        return get(RESETS);
    }

    /** {@return connections closed by their idle timeout} */
    public long idleTimeouts() {
        return get(IDLE_TIMEOUTS);
    }

    /**
     * {@return graceful closes that could not flush their queued writes within {@link
     * TcpOptions#closeTimeout()} and were reset instead}
     */
    public long closeTimeouts() {
        return get(CLOSE_TIMEOUTS);
    }

    /** {@return bytes read from the connections of this loop} */
    public long bytesRead() {
        return get(BYTES_READ);
    }

    /** {@return bytes the OS took from the connections of this loop (written to their sockets)} */
    public long bytesWritten() {
        return get(BYTES_WRITTEN);
    }
}
